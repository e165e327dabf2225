// Promise 8: 2000 concurrent creates → 2000 distinct ids, 2000 rows, no errors.
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { useFaultStack } from '../support/fault-stack.js';

const stack = useFaultStack();
beforeAll(async () => {
  await stack.startDatabase();
  await stack.startService();
});

function create(url: string, contents: string, agent: Agent) {
  return new Promise<{ status: number; id: number }>((resolve, reject) => {
    const body = JSON.stringify({ contents });
    const req = request(
      `${url}/notes/`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, id: JSON.parse(text).id }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('many writers at once', () => {
  it('gives 2000 concurrent creates 2000 distinct ids and 2000 rows', async () => {
    const { url } = stack.service();
    const marker = randomUUID();
    const agent = new Agent({ keepAlive: true, maxSockets: 128 });
    try {
      const results = await Promise.all(Array.from({ length: 2000 }, (_, i) => create(url, `${marker} ${i}`, agent)));
      expect(results.filter((result) => result.status !== 201)).toEqual([]);
      expect(new Set(results.map((result) => result.id)).size).toBe(2000);
    } finally {
      agent.destroy();
    }

    const [row] = await stack.withDatabase(
      (sql) => sql`select count(*)::int as count from notes where contents like ${`${marker} %`}`,
    );
    expect(row?.count).toBe(2000);
  });
});
