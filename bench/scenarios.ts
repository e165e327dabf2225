// Each scenario twice: the HTTP request autocannon sends, and the SQL the service
// issues for it as a pgbench script (same statement, random id in the same range).
import type { Request } from 'autocannon';

export interface Scenario {
  /** What BENCH_SCENARIOS picks it by. */
  key: string;
  name: string;
  request(notes: number): Request;
  pgbench(notes: number): string;
}

const NOTE = 'x'.repeat(200);
const randomId = (notes: number) => 1 + Math.floor(Math.random() * notes);

export const SCENARIOS: Scenario[] = [
  {
    key: 'get',
    name: 'GET /notes/<id>/',
    request: (notes) => ({ method: 'GET', setupRequest: (req) => ({ ...req, path: `/notes/${randomId(notes)}/` }) }),
    pgbench: (notes) => `\\set id random(1, ${notes})\nselect id, contents, creation_date from notes where id = :id;\n`,
  },
  {
    key: 'post',
    name: 'POST /notes/ (200 bytes)',
    request: () => ({
      method: 'POST',
      path: '/notes/',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: NOTE }),
    }),
    pgbench: () => `insert into notes (contents) values ('${NOTE}') returning id, contents, creation_date;\n`,
  },
  {
    key: 'page',
    name: 'GET /notes/?limit=100&after=<id>',
    request: (notes) => ({
      method: 'GET',
      setupRequest: (req) => ({ ...req, path: `/notes/?limit=100&after=${randomId(notes)}` }),
    }),
    pgbench: (notes) =>
      `\\set id random(1, ${notes})\nselect id, contents, creation_date from notes where id > :id order by id limit 101;\n`,
  },
];
