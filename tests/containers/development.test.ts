// The development loop on a real Docker engine: `make run` with the development
// override (sources mounted, reload, inspector), migrations applied, `make test`
// against the stack, an edit under src/ served without a rebuild, the debugger,
// `make db_shell`, and the data volume across `make stop` / `make destroy`.
// The stack runs from a copy of the working tree, so the edit never touches the
// checkout.
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { waitFor } from '../../tools/wait.js';
import { inspect, makeTestAgainst, useComposeStack } from '../support/docker.js';
import { postNote } from '../support/fault-stack.js';
import { ROOT } from '../support/make.js';
import { useWorkingCopy } from '../support/working-copy.js';

const copy = useWorkingCopy('containers');
const development = useComposeStack('development', {}, copy.dir);

describe.skipIf(inject('dockerEngine') !== null)('the compose development stack', () => {
  beforeAll(async () => {
    await copy.create();
    const stack = await development();
    const started = Date.now();
    const up = await stack.make('run', { timeoutMs: 600_000 });
    expect(up.code, up.output).toBe(0);
    console.log(`make run (compose, development override): ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 600_000);

  it('applied every migration before answering GET /, as make db_shell shows', async () => {
    const stack = await development();
    expect((await fetch(`${stack.url}/`)).status).toBe(200);
    const migrations = (await readdir(join(ROOT, 'migrations'))).filter((file) => /^\d+\.do\./.test(file));
    const shell = await stack.make('db_shell', {
      input: 'select max(version) as schema_version from schemaversion;\n',
    });
    expect(shell.code, shell.output).toBe(0);
    expect(shell.output).toMatch(new RegExp(`schema_version\\s*\\n-+\\s*\\n\\s*${migrations.length}\\s*\\n`));
  });

  it('passes make test against it: the external tier over HTTP, the integrated tier on its database', async () => {
    const stack = await development();
    const tested = await makeTestAgainst(stack);
    expect(tested.output).toMatch(
      new RegExp(`testing the running stack compose-[0-9a-f]{12} \\(compose\\) on ${stack.url}`),
    );
    expect(tested.code, tested.output.slice(-3_000)).toBe(0);
  }, 300_000);

  it('runs as the image’s non-root user, as the runtime image does, with the sources mounted read-only', async () => {
    const stack = await development();
    const api = await stack.container('api');
    expect(await inspect(api, '{{.Config.User}}')).toBe('node');
    const mounts = JSON.parse(await inspect(api, '{{json .Mounts}}')) as Array<{ Destination: string; RW: boolean }>;
    expect(
      mounts.filter((mount) => mount.Destination.startsWith('/app/')).map(({ Destination, RW }) => [Destination, RW]),
    ).toEqual(
      expect.arrayContaining([
        ['/app/src', false],
        ['/app/migrations', false],
      ]),
    );
  });

  it('publishes the inspector on DEBUG_PORT', async () => {
    const stack = await development();
    const targets = (await (await fetch(`http://127.0.0.1:${stack.env.DEBUG_PORT}/json/list`)).json()) as Array<{
      type: string;
      webSocketDebuggerUrl: string;
    }>;
    expect(targets[0]?.type).toBe('node');
    expect(targets[0]?.webSocketDebuggerUrl).toMatch(/^ws:\/\//);
  });

  it('serves an edit under src/ without a rebuild', async () => {
    const stack = await development();
    const path = `/no-such-route-${randomUUID()}`;
    const message = async () => ((await (await fetch(`${stack.url}${path}`)).json()) as { message: string }).message;
    expect(await message()).toContain('no route for');

    const saved = Date.now();
    const served = await copy.rewordNotFound('(edited)');
    await waitFor(
      'the container did not serve the edit',
      async () => {
        if (!served(await message())) throw new Error('still the old wording');
      },
      { timeoutMs: 30_000, intervalMs: 25 },
    );
    console.log(`reload in the container, from save to the edit served: ${Date.now() - saved} ms`);
  }, 60_000);

  it('keeps notes in its volume across make stop, and make destroy empties it', async () => {
    const stack = await development();
    const created = await postNote(stack.url, `kept ${randomUUID()}`);
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: number };

    for (const target of ['stop', 'run']) {
      const result = await stack.make(target, { timeoutMs: 300_000 });
      expect(result.code, result.output).toBe(0);
    }
    expect((await fetch(`${stack.url}/notes/${id}/`)).status).toBe(200);

    for (const target of ['destroy', 'run']) {
      const result = await stack.make(target, { timeoutMs: 300_000 });
      expect(result.code, result.output).toBe(0);
    }
    expect(await (await fetch(`${stack.url}/notes/`)).json()).toEqual([]);
    const destroyed = await stack.make('destroy');
    expect(destroyed.code, destroyed.output).toBe(0);
  }, 600_000);
});
