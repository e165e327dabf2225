// make test_debug: the tests in one process that waits for a debugger on
// DEBUG_PORT before it runs anything, narrowed to one file by TESTS. A debugger
// attaches (over the inspector protocol, as VS Code or Chrome DevTools would),
// lets it go, and the file named runs, alone.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../tools/free-port.js';
import { waitFor } from '../../tools/wait.js';
import { ROOT } from '../support/make.js';

const run = promisify(execFile);

/** A debugger's first words: attach, enable, run the paused target, resume at any pause; then leave. */
const RESUME = `
const ws = new WebSocket(process.argv[1]);
let id = 0;
const send = (method) => ws.send(JSON.stringify({ id: ++id, method, params: {} }));
ws.onopen = () => { send('Runtime.enable'); send('Debugger.enable'); send('Runtime.runIfWaitingForDebugger'); };
ws.onmessage = (message) => {
  const data = JSON.parse(message.data);
  if (data.method === 'Debugger.paused') send('Debugger.resume');
  if (data.id === 3) setTimeout(() => process.exit(0), 500);
};`;

describe('make test_debug', () => {
  it('waits for a debugger on DEBUG_PORT, then runs only the file TESTS names', async () => {
    const port = await freePort();
    let output = '';
    const child = spawn('make', ['--no-print-directory', 'test_debug'], {
      cwd: ROOT,
      env: {
        ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST'))),
        DEBUG_PORT: String(port),
        TESTS: 'tests/unit/config.test.ts',
        API_PORT: String(await freePort()), // no stack answers there: the suite starts its own
        APP_URL: '',
        POSTGRES_HOST: '',
      },
    });
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const targets = await waitFor(
        'no inspector answered on DEBUG_PORT',
        async () =>
          (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{ webSocketDebuggerUrl: string }>,
        { timeoutMs: 20_000, intervalMs: 100 },
      );
      expect(targets).toHaveLength(1); // one process
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(output).not.toMatch(/Test Files/); // nothing ran before the debugger came

      const flags = typeof WebSocket === 'undefined' ? ['--experimental-websocket'] : [];
      await run(process.execPath, [...flags, '-e', RESUME, targets[0]?.webSocketDebuggerUrl ?? ''], {
        timeout: 20_000,
      });
      expect(await exited).toBe(0);
      expect(output).toContain(`waiting for a debugger on 127.0.0.1:${port}`);
      expect(output).toMatch(/Test Files .*1 passed/);
      expect(output).toContain('tests/unit/config.test.ts');
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);
});
