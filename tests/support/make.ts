// `make TARGET` as a user types it, for the tiers that test the Makefile: in the
// checkout (or a copy of it), with a stack's ports in the environment and none of
// the developer's APP_URL, POSTGRES_HOST or API_TOKEN. Resolves with the exit code
// and the output, whatever the exit code.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The variables the Makefile sets (`NAME ?=`, `:=`, `=`), which .EXPORT_ALL_VARIABLES exports to what it runs. */
const MAKEFILE_VARIABLES = new Set(
  [...readFileSync(join(ROOT, 'Makefile'), 'utf8').matchAll(/^([A-Z][A-Z0-9_]*) *[:?]?=/gm)].map((match) => match[1]),
);

export interface MakeResult {
  code: number;
  output: string;
}

export interface MakeOptions {
  cwd?: string;
  /** Written to make's stdin (which then isn't a terminal), e.g. SQL for db_shell. */
  input?: string;
  timeoutMs?: number;
}

export function make(target: string, env: Record<string, string> = {}, options: MakeOptions = {}): Promise<MakeResult> {
  const { cwd = ROOT, input = '', timeoutMs = 120_000 } = options;
  const inherited = Object.fromEntries(
    // A nested Vitest (make test) must not take this run's worker for its own, and
    // under an outer make (make test_containers) the variables it exported (its
    // STACK_DIR, its STACK) must not stand in for the ones this make works out.
    Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST') && !MAKEFILE_VARIABLES.has(name)),
  );
  return new Promise((resolve) => {
    const child = spawn('make', ['--no-print-directory', target], {
      cwd,
      env: { ...inherited, APP_URL: '', POSTGRES_HOST: '', API_TOKEN: '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.stdin.end(input);
    child.on('close', (code, signal) => {
      resolve({ code: code ?? (signal ? 128 : 1), output: signal ? `${output}\n(make ${target}: ${signal})` : output });
    });
  });
}
