// Each scenario three times: the HTTP request autocannon sends, the same request as
// a wrk script (BENCH_LOAD_GENERATOR=wrk), and the SQL the service issues for it as
// a pgbench script (same statement, random id in the same range).
import type { Request } from 'autocannon';

export interface Scenario {
  /** What BENCH_SCENARIOS picks it by. */
  key: string;
  name: string;
  request(notes: number): Request;
  wrk(notes: number): string;
  pgbench(notes: number): string;
  /** Connections for this scenario, in place of BENCH_CONNECTIONS (the lone client's 1). */
  connections?: number;
}

const NOTE = 'x'.repeat(200);
const randomId = (notes: number) => 1 + Math.floor(Math.random() * notes);
/** A wrk script: every request a GET of `before` + a random id up to `notes` + `after`. */
const wrkGet = (before: string, after: string, notes: number) =>
  `math.randomseed(os.time())
request = function()
  return wrk.format("GET", "${before}" .. math.random(1, ${notes}) .. "${after}")
end
`;

const GET: Omit<Scenario, 'key' | 'name'> = {
  request: (notes) => ({ method: 'GET', setupRequest: (req) => ({ ...req, path: `/notes/${randomId(notes)}/` }) }),
  wrk: (notes) => wrkGet('/notes/', '/', notes),
  pgbench: (notes) =>
    `\\set id random(1, ${notes})\nselect id, contents, category, creation_date from notes where id = :id and deleted_at is null;\n`,
};

export const SCENARIOS: Scenario[] = [
  { key: 'get', name: 'GET /notes/<id>/', ...GET },
  // Latency alone: no other request to share a statement with, so it shows what coalescing costs one client.
  { key: 'get1', name: 'GET /notes/<id>/, one client', ...GET, connections: 1 },
  {
    key: 'post',
    name: 'POST /notes/ (200 bytes)',
    request: () => ({
      method: 'POST',
      path: '/notes/',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: NOTE }),
    }),
    wrk: () =>
      `wrk.method = "POST"\nwrk.path = "/notes/"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = '${JSON.stringify({ contents: NOTE })}'\n`,
    pgbench: () => `insert into notes (contents) values ('${NOTE}') returning id, contents, category, creation_date;\n`,
  },
  {
    key: 'page',
    name: 'GET /notes/?limit=100&after=<id>',
    request: (notes) => ({
      method: 'GET',
      setupRequest: (req) => ({ ...req, path: `/notes/?limit=100&after=${randomId(notes)}` }),
    }),
    wrk: (notes) => wrkGet('/notes/?limit=100&after=', '', notes),
    pgbench: (notes) =>
      `\\set id random(1, ${notes})\nselect id, contents, category, creation_date from notes where id > :id and deleted_at is null order by id limit 101;\n`,
  },
];
