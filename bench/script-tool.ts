// pgbench and wrk: Debian's tools, each reading its script from a file. The file
// lives in a private temporary directory for the length of the run and is removed
// whatever happens; a tool that isn't installed is one line naming its package.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ScriptToolRun {
  command: string;
  /** The Debian package that has `command`, for the message when it is missing. */
  debianPackage: string;
  scriptName: string;
  script: string;
  /** The command's arguments, given the script's path. */
  args(scriptFile: string): string[];
  env?: NodeJS.ProcessEnv;
}

/** Runs the tool to the end and gives its standard output. */
export async function runScriptTool({ command, debianPackage, scriptName, script, args, env }: ScriptToolRun) {
  const dir = await mkdtemp(join(tmpdir(), 'notes-bench-script-'));
  const file = join(dir, scriptName);
  await writeFile(file, script);
  try {
    return (await run(command, args(file), { env })).stdout;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`${command} is not installed: apt-get install ${debianPackage}`);
    }
    throw error;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
