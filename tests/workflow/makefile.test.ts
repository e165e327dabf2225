// The Makefile on a machine without a Docker engine: `make run` takes the native
// path and says so, two stacks on free ports run side by side with their own
// data, `make run_scaled` runs instances behind Debian's HAProxy and PgBouncer, and
// the Docker-only targets fail at once with one line naming the native
// alternative instead of hanging.
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../tools/free-port.js';
import { make as makeIn } from '../support/make.js';

// Whether or not this machine runs an engine: DOCKER_HOST names a socket nobody
// serves, so `docker info` fails at once as it does where Docker isn't running.
const NO_ENGINE = { DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
const make = (target: string, env: Record<string, string> = {}) => makeIn(target, { ...NO_ENGINE, ...env });

const stacks: Record<string, string>[] = [];
afterAll(async () => {
  await Promise.all(stacks.map((ports) => make('destroy', ports)));
});

// Stand-ins first on PATH: an npm that only says what the test targets would be
// given (so `make test` shows its choice in milliseconds, not a whole suite), and a
// docker whose `docker info` succeeds, as if an engine had started since make run.
let fakeBin = '';
beforeAll(async () => {
  fakeBin = await mkdtemp(join(tmpdir(), 'notes-make-bin-'));
  const script = async (name: string, body: string) => {
    await writeFile(join(fakeBin, name), `#!/bin/sh\n${body}\n`);
    await chmod(join(fakeBin, name), 0o755);
  };
  await script('npm', 'echo "npm $* with APP_URL=$APP_URL STACK_ID=$STACK_ID"');
  await script('docker', '[ "$1" = info ] && exit 0; echo "docker $* (a stand-in)" >&2; exit 1');
});
afterAll(() => rm(fakeBin, { recursive: true, force: true }));
const withFake = (env: Record<string, string>) => ({ ...env, PATH: `${fakeBin}:${process.env.PATH}` });

/** A server that is not the stack, answering GET / with 200 and a body like the service's. */
async function stranger(): Promise<{ port: number; server: Server }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"app":"notes-service","status":"up"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server };
}

describe('make without a Docker engine', () => {
  it('runs two native stacks on free ports side by side, each with its own data', async () => {
    const a = { API_PORT: String(await freePort()), POSTGRES_PORT: String(await freePort()) };
    const b = { API_PORT: String(await freePort()), POSTGRES_PORT: String(await freePort()) };
    stacks.push(a, b);

    const [runA, runB] = await Promise.all([make('run', a), make('run', b)]);
    expect(runA.output).toContain('stack: native (no Docker engine answers)');
    expect([runA.code, runB.code]).toEqual([0, 0]);
    // A first start says what it started and nothing of files not there yet.
    expect(runA.output).not.toMatch(/No such file or directory/);

    const contents = `only in stack A ${randomUUID()}`;
    const created = await fetch(`http://127.0.0.1:${a.API_PORT}/notes/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents }),
    });
    expect(created.status).toBe(201);
    const inB = (await (await fetch(`http://127.0.0.1:${b.API_PORT}/notes/`)).json()) as Array<{ contents: string }>;
    expect(inB.some((note) => note.contents === contents)).toBe(false);

    // make test tests the stack by the id it answers, and says so.
    const tested = await make('test', withFake(a));
    const id = tested.output.match(/testing the running stack (native-[0-9a-f]{12}) \(native\) on /)?.[1];
    expect(id, tested.output).toBeDefined();
    expect(tested.output).toContain(`npm test with APP_URL=http://127.0.0.1:${a.API_PORT} STACK_ID=${id}`);
    expect(((await (await fetch(`http://127.0.0.1:${a.API_PORT}/`)).json()) as { stack: string }).stack).toBe(id);

    const listed = await make('stacks');
    for (const ports of [a, b]) {
      expect(listed.output).toMatch(
        new RegExp(
          `native +notes-service-${ports.API_PORT} +API_PORT=${ports.API_PORT} POSTGRES_PORT=${ports.POSTGRES_PORT} pid=\\d+`,
        ),
      );
    }

    // An engine that answers now doesn't turn B's stop into a compose one: the record says native.
    const stopped = await make('stop', { ...withFake(b), DOCKER_HOST: '' });
    expect(stopped.output).toContain(
      `stack: native (native, as make run recorded it in .data/stacks/notes-service-${b.API_PORT}/stack.kind)`,
    );
    expect(stopped.output).toContain('native stack stopped');
    expect(stopped.code, stopped.output).toBe(0);
    await expect(fetch(`http://127.0.0.1:${b.API_PORT}/`)).rejects.toThrow();

    const [stopA, stopB] = await Promise.all([make('destroy', a), make('destroy', b)]);
    expect([stopA.code, stopB.code]).toEqual([0, 0]);
    await expect(fetch(`http://127.0.0.1:${a.API_PORT}/`)).rejects.toThrow();
    expect((await make('stacks')).output).not.toContain(`notes-service-${a.API_PORT}`);
    const again = await make('destroy', a);
    expect(again.code).toBe(0);
    expect(again.output).toContain(`nothing to remove: no native stack in .data/stacks/notes-service-${a.API_PORT}`);
    expect(again.output).not.toContain('removed');
  });

  it('reports no stack it did not start: a stranger on the port fails make run with the cause, and make test leaves it alone', async () => {
    const { port, server } = await stranger();
    const ports = { API_PORT: String(port), POSTGRES_PORT: String(await freePort()) };
    stacks.push(ports);
    try {
      const run = await make('run', ports);
      expect(run.code, run.output).not.toBe(0);
      expect(run.output).toContain(
        `the native stack did not come up: notes-service: failed to start: API_PORT ${port} is taken on 127.0.0.1: set API_PORT to a free one (scripts/free-port prints one) (log: .data/stacks/notes-service-${port}/stack.log)`,
      );
      expect(run.output).not.toMatch(/stack .* up on/);

      const tested = await make('test', withFake(ports));
      expect(tested.output).toContain(
        `not testing what answers on http://127.0.0.1:${port}: it is not a stack make run started here`,
      );
      expect(tested.output).toContain('npm test with APP_URL= STACK_ID=');
    } finally {
      server.close();
    }
  });

  it('runs the scaled stack natively: instances behind HAProxy and PgBouncer, all stopped by make destroy', async () => {
    const ports = {
      API_PORT: String(await freePort()),
      POSTGRES_PORT: String(await freePort()),
      PGBOUNCER_PORT: String(await freePort()),
      BALANCER_STATS_PORT: String(await freePort()),
    };
    stacks.push(ports);
    const up = await make('run_scaled', ports);
    expect(up.code, up.output).toBe(0);
    expect(up.output).toContain('3 instances behind HAProxy');

    const servedBy = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const response = await fetch(`http://127.0.0.1:${ports.API_PORT}/health/ready`);
      expect(response.status).toBe(200);
      servedBy.add(response.headers.get('x-served-by') ?? '');
    }
    expect([...servedBy].sort()).toEqual(['instance-1', 'instance-2', 'instance-3']);

    const destroyed = await make('destroy', ports);
    expect(destroyed.code, destroyed.output).toBe(0);
    expect(destroyed.output).toContain('scaled stack stopped');
    for (const port of [ports.API_PORT, ports.POSTGRES_PORT, ports.PGBOUNCER_PORT]) {
      await expect(fetch(`http://127.0.0.1:${port}/`), `port ${port}`).rejects.toThrow();
    }
  }, 120_000);

  it('says in one line how to install PgBouncer and HAProxy when both are missing, instead of hanging', async () => {
    // Debian installs pgbouncer and haproxy in /usr/sbin: a PATH without it lacks both.
    const path = (process.env.PATH ?? '')
      .split(':')
      .filter((dir) => !/sbin/.test(dir))
      .join(':');
    const started = Date.now();
    const result = await make('run_scaled', { PATH: path, API_PORT: String(await freePort()) });
    expect(result.code).not.toBe(0);
    expect(result.output).toContain(
      'pgbouncer and haproxy are not installed: apt-get install pgbouncer haproxy (Debian/Ubuntu), or brew install pgbouncer haproxy',
    );
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 90_000);

  it('refuses STACK=compose in one line that names the native alternative', async () => {
    const result = await make('run', { STACK: 'compose' });
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('STACK=compose needs a Docker engine and none answers');
    expect(result.output).toContain('STACK=native');
  });

  it('refuses build_docker in one line that names the native build', async () => {
    const result = await make('build_docker');
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('no Docker engine answers');
    expect(result.output).toContain('npm run build');
  });
});
