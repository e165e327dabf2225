// The talk's loop on a real Docker engine: `make run` with the development
// override (sources mounted, reload, inspector), migrations applied, `make test`
// against the stack, an edit under src/ served without a rebuild, the debugger,
// `make db_shell`, and the data volume across `make stop` / `make destroy`.
// The stack runs from a copy of the working tree, so the edit never touches the
// checkout.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cp, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitFor } from '../../tools/wait.js';
import { makeTestAgainst, useComposeStack } from '../support/docker.js';
import { postNote } from '../support/fault-stack.js';
import { ROOT } from '../support/make.js';

const copy = join(tmpdir(), `notes-containers-${process.pid}-${randomUUID().slice(0, 8)}`);
const development = useComposeStack('development', {}, copy);
afterAll(async () => {
  await rm(copy, { recursive: true, force: true });
});

/** The working tree as git sees it (tracked and untracked, not ignored): what a clone with these edits holds. */
async function copyWorkingTree(to: string): Promise<void> {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  }).split('\0');
  for (const file of files.filter(Boolean)) {
    await cp(join(ROOT, file), join(to, file), { recursive: true, verbatimSymlinks: true }).catch((error) => {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error; // deleted in the working tree
    });
  }
}

/** The file under src/ that words the 404 for an unknown route, and that wording. */
async function notFoundWording(src: string): Promise<{ file: string; text: string }> {
  for (const entry of await readdir(src, { recursive: true })) {
    if (!entry.endsWith('.ts')) continue;
    const text = await readFile(join(src, entry), 'utf8');
    if (text.includes('no route for ')) return { file: join(src, entry), text };
  }
  throw new Error('no file under src/ words "no route for"');
}

describe.skipIf(inject('dockerEngine') !== null)('the compose development stack', () => {
  beforeAll(async () => {
    await mkdir(copy);
    await copyWorkingTree(copy);
    // As after `make setup_development`: the Makefile's scripts run on the dev dependencies (tsx).
    await symlink(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
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
    expect(tested.output).toContain(`testing the running stack on ${stack.url}`);
    expect(tested.code, tested.output.slice(-3_000)).toBe(0);
  }, 300_000);

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
    const { file, text } = await notFoundWording(join(copy, 'src'));
    const path = `/no-such-route-${randomUUID()}`;
    const message = async () => ((await (await fetch(`${stack.url}${path}`)).json()) as { message: string }).message;
    expect(await message()).toContain('no route for');

    const saved = Date.now();
    await writeFile(file, text.replace('no route for ', 'no route (edited) for '));
    await waitFor(
      'the container did not serve the edit',
      async () => {
        if (!(await message()).includes('(edited)')) throw new Error('still the old wording');
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
