// Through the balancer and PgBouncer, across instances: one Idempotency-Key sent
// by many clients at once makes one note; two instances that start at the same
// moment on a fresh database apply each migration once.
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../tools/free-port.js';
import { useScaledStack } from '../support/scaled-stack.js';

const scaled = useScaledStack();

describe('across instances', () => {
  it('creates exactly one note for one Idempotency-Key sent 24 times at once', async () => {
    const stack = scaled.stack();
    const key = `one-${randomUUID()}`;
    const responses = await Promise.all(
      Array.from({ length: 24 }, () =>
        fetch(`${stack.url}/notes/`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': key },
          body: JSON.stringify({ contents: `exactly once ${key}` }),
        }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 201));
    expect(new Set(responses.map((r) => r.headers.get('x-served-by'))).size).toBeGreaterThan(1);
    const ids = new Set(await Promise.all(responses.map(async (r) => ((await r.json()) as { id: number }).id)));
    expect(ids.size).toBe(1);
    const [row] =
      await scaled.database()`select count(*)::int as n from notes where contents = ${`exactly once ${key}`}`;
    expect(row?.n).toBe(1);
  });

  it('applies each migration once when two instances migrate a fresh database at the same moment', async () => {
    const stack = scaled.stack();
    const database = `notes_race_${randomUUID().replaceAll('-', '')}`;
    const admin = scaled.database();
    await admin.unsafe(`create database "${database}"`);
    const ports = [await freePort(), await freePort()];
    const pids = await Promise.all(
      ports.map((port, i) => stack.launchService(`migrating-${i + 1}`, port, { POSTGRES_DB: database })),
    );
    try {
      const migrations = (await readdir(new URL('../../migrations/', import.meta.url))).filter((f) =>
        /^\d+\.do\./.test(f),
      );
      const versions = await scaled.database(
        database,
      )`select version from schemaversion where version > 0 order by version`;
      expect(versions.map((row) => Number(row.version))).toEqual(migrations.map((file) => Number.parseInt(file, 10)));
      for (const port of ports) expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
    } finally {
      for (const pid of pids) process.kill(pid, 'SIGTERM');
    }
  });
});
