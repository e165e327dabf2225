// Promise 7: bad input never hurts. Each hostile request gets a JSON 4xx (or the
// correct 2xx), never a 5xx, never a hang; afterwards the service still serves.
// Raw sockets, because no HTTP client sends most of these.
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../tools/wait.js';
import { postNote, useFaultStack } from '../support/fault-stack.js';
import { rawRequest, requestHead } from '../support/raw-http.js';

const HEADERS_TIMEOUT_MS = 500;
const REQUEST_TIMEOUT_MS = 1_000;
const LINGERING_CLOSE_MS = 300;
let port: number;
const stack = useFaultStack({
  LOG_LEVEL: 'info', // the client-abort line is info
  HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
  REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
  LINGERING_CLOSE_MS: String(LINGERING_CLOSE_MS),
});
beforeAll(async () => {
  await stack.startDatabase();
  port = Number(new URL((await stack.startService()).url).port);
});

const CRLF = '\r\n';
function request(
  method: string,
  path: string,
  {
    body,
    headers = {},
    close = true,
  }: { body?: string | Buffer; headers?: Record<string, string>; close?: boolean } = {},
): string | Buffer {
  const fixed: Record<string, string> = { Host: 'test' };
  if (close) fixed.Connection = 'close';
  if (body !== undefined) fixed['Content-Length'] = String(Buffer.byteLength(body));
  const head = requestHead(method, path, { ...fixed, ...headers });
  return body === undefined ? head : Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body)]);
}
const json = (body: string | Buffer, headers: Record<string, string> = {}) =>
  request('POST', '/notes/', { body, headers: { 'Content-Type': 'application/json', ...headers } });
const get = (path: string, headers: Record<string, string> = {}) => request('GET', path, { headers });
const deep = (depth: number) => `{"contents":"deep","x":${'['.repeat(depth)}${']'.repeat(depth)}}`;
const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : Buffer.from(part))));

type Case = [name: string, parts: Array<string | Buffer>, status: number, pauseMs?: number];
const cases: Case[] = [
  // malformed and truncated JSON
  ['truncated object', [json('{"contents":"x"')], 400],
  ['truncated string', [json('{"contents":"x')], 400],
  ['a lone brace', [json('{')], 400],
  ['trailing comma', [json('{"contents":"x",}')], 400],
  ['single quotes', [json("{'contents':'x'}")], 400],
  ['unquoted key', [json('{contents:"x"}')], 400],
  ['NaN', [json('{"contents":NaN}')], 400],
  ['a comment', [json('{"contents":"x"/* hi */}')], 400],
  ['two objects', [json('{"contents":"a"}{"contents":"b"}')], 400],
  ['an empty body', [json('')], 400],
  ['only whitespace', [json('   \n ')], 400],
  // not an object, wrong types
  ['an array', [json('[{"contents":"x"}]')], 400],
  ['null', [json('null')], 400],
  ['true', [json('true')], 400],
  ['a number', [json('42')], 400],
  ['a string', [json('"contents"')], 400],
  ['contents: null', [json('{"contents":null}')], 400],
  ['contents: a number', [json('{"contents":42}')], 400],
  ['contents: a boolean', [json('{"contents":false}')], 400],
  ['contents: an array', [json('{"contents":["x"]}')], 400],
  ['contents: an object', [json('{"contents":{"x":1}}')], 400],
  ['no contents', [json('{"content":"x"}')], 400],
  // prototype tricks, nesting, duplicate keys
  ['a __proto__ key', [json('{"__proto__":{"admin":true},"contents":"x"}')], 400],
  ['a nested __proto__ key', [json('{"contents":"x","a":{"__proto__":{"b":1}}}')], 400],
  ['constructor.prototype', [json('{"constructor":{"prototype":{"x":1}},"contents":"x"}')], 400],
  ['deeply nested JSON', [json(deep(50_000))], 201],
  ['duplicate keys: the last wins', [json('{"contents":"first","contents":"second"}')], 201],
  // sizes and characters
  ['empty contents', [json('{"contents":""}')], 400],
  ['contents one over NOTE_MAX_LENGTH', [json(JSON.stringify({ contents: 'x'.repeat(100_001) }))], 400],
  ['contents of exactly NOTE_MAX_LENGTH', [json(JSON.stringify({ contents: 'x'.repeat(100_000) }))], 201],
  ['a NUL character', [json('{"contents":"a\\u0000b"}')], 400],
  ['a raw NUL byte in the JSON', [json(bytes('{"contents":"a', [0], 'b"}'))], 400],
  ['a lone high surrogate', [json('{"contents":"a\\ud800"}')], 400],
  ['a lone low surrogate', [json('{"contents":"\\udc00a"}')], 400],
  ['a valid surrogate pair', [json('{"contents":"\\ud83d\\ude00"}')], 201],
  // NOTE_MAX_LENGTH counts UTF-16 code units: an emoji is 2
  ['50 000 emoji: exactly NOTE_MAX_LENGTH code units', [json(JSON.stringify({ contents: '😀'.repeat(50_000) }))], 201],
  ['50 000 emoji and a letter: one unit over', [json(JSON.stringify({ contents: `${'😀'.repeat(50_000)}a` }))], 400],
  [
    '100 000 emoji: the limit in code points, twice it in units',
    [json(JSON.stringify({ contents: '😀'.repeat(100_000) }))],
    400,
  ],
  [
    '50 000 escaped emoji (12 bytes each in the JSON), within BODY_LIMIT_BYTES',
    [json(`{"contents":"${'\\ud83d\\ude00'.repeat(50_000)}"}`)],
    201,
  ],
  ['invalid UTF-8 bytes', [json(bytes('{"contents":"a', [0xff, 0xfe], '"}'))], 400],
  ['an overlong UTF-8 encoding', [json(bytes('{"contents":"', [0xc0, 0xaf], '"}'))], 400],
  ['a truncated UTF-8 sequence', [json(bytes('{"contents":"', [0xe2, 0x82], '"}'))], 400],
  // Kept alive: the server then discards the unread body instead of closing on it (which resets the connection).
  [
    'a body over BODY_LIMIT_BYTES',
    [
      request('POST', '/notes/', {
        body: JSON.stringify({ contents: 'x'.repeat(1_100_000) }),
        headers: { 'Content-Type': 'application/json' },
        close: false,
      }),
    ],
    413,
  ],
  // content types
  ['text/plain', [json('{"contents":"x"}', { 'Content-Type': 'text/plain' })], 415],
  [
    'a form',
    [
      request('POST', '/notes/', {
        body: 'contents=x',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      }),
    ],
    415,
  ],
  ['XML', [json('<contents>x</contents>', { 'Content-Type': 'application/xml' })], 415],
  ['no Content-Type with a body', [request('POST', '/notes/', { body: '{"contents":"x"}' })], 415],
  ['JSON with a charset', [json('{"contents":"x"}', { 'Content-Type': 'application/json; charset=utf-8' })], 201],
  // ids
  ...(['0', '-1', '1e3', '0x10', 'abc', '1.5', '%20', '1%00', '+1', '01'].map((id) => [
    `the id ${id}`,
    [get(`/notes/${id}/`)],
    400,
  ]) as Case[]),
  ['the id 9223372036854775808', [get('/notes/9223372036854775808/')], 404],
  ['the id 9223372036854775807', [get('/notes/9223372036854775807/')], 404],
  ['an id of 200 digits', [get(`/notes/${'9'.repeat(200)}/`)], 414],
  ['a malformed percent-encoding', [get('/notes/%ZZ/')], 400],
  // paths, query strings, headers
  ['a very long unknown path', [get(`/${'a'.repeat(8_000)}`)], 404],
  ['a path beyond the header limit', [get(`/${'a'.repeat(20_000)}`)], 431],
  ['a very long query string', [get(`/notes/9223372036854775807/?${'x='.repeat(3_000)}`)], 404],
  ['limit=0', [get('/notes/?limit=0')], 400],
  ['limit=1001', [get('/notes/?limit=1001')], 400],
  ['limit twice', [get('/notes/?limit=1&limit=2')], 400],
  ['after=-5', [get('/notes/?after=-5')], 400],
  ['after one past bigint', [get('/notes/?after=9223372036854775808')], 400],
  ['after=9999999999999999999', [get('/notes/?after=9999999999999999999')], 400],
  ['after one past the last note id', [get('/notes/?after=9007199254740992')], 400],
  ['after at the last note id', [get('/notes/?after=9007199254740991')], 200],
  ['an Idempotency-Key with spaces', [json('{"contents":"x"}', { 'Idempotency-Key': 'a b' })], 400],
  ['a header line without a colon', [`GET / HTTP/1.1${CRLF}Host: test${CRLF}garbage${CRLF}${CRLF}`], 400],
  ['no Host header', [`GET / HTTP/1.1${CRLF}Connection: close${CRLF}${CRLF}`], 400],
  ['an HTTP/1.0 request', [`GET / HTTP/1.0${CRLF}${CRLF}`], 200],
  ['a request line saying HTTP/2.0', [`GET / HTTP/2.0${CRLF}Host: t${CRLF}${CRLF}`], 505],
  ['a request line saying HTTP/0.9', [`GET / HTTP/0.9${CRLF}Host: t${CRLF}${CRLF}`], 505],
  ['an Expect other than 100-continue', [json('{"contents":"x"}', { Expect: 'something-else' })], 417],
  ['a gzip Content-Encoding', [json('{"contents":"x"}', { 'Content-Encoding': 'gzip' })], 415],
  ['Content-Encoding: identity', [json('{"contents":"x"}', { 'Content-Encoding': 'identity' })], 201],
  ['a NUL in a docs file name', [get('/docs/static/a%00b')], 403],
  ['a garbage request line', [`HELLO THERE${CRLF}${CRLF}`], 400],
  ['a header over the size limit', [get('/', { 'X-Big': 'x'.repeat(20_000) })], 431],
  // methods
  ['PUT /notes/', [request('PUT', '/notes/', { body: '{}', headers: { 'Content-Type': 'application/json' } })], 405],
  ['DELETE /notes/1/', [request('DELETE', '/notes/1/')], 405],
  [
    'PATCH /notes/1/',
    [request('PATCH', '/notes/1/', { body: '{}', headers: { 'Content-Type': 'application/json' } })],
    405,
  ],
  ['an unknown method', [request('BREW', '/notes/')], 400],
  ['HEAD /notes/', [request('HEAD', '/notes/')], 200],
  ['OPTIONS /notes/', [request('OPTIONS', '/notes/')], 204],
  // lying framing
  [
    'a Content-Length larger than the body (then silence)',
    [
      `POST /notes/ HTTP/1.1${CRLF}Host: t${CRLF}Content-Type: application/json${CRLF}Content-Length: 100${CRLF}${CRLF}{"contents":"x"}`,
    ],
    408,
  ],
  [
    'a Content-Length smaller than the body',
    [
      `POST /notes/ HTTP/1.1${CRLF}Host: t${CRLF}Connection: close${CRLF}Content-Type: application/json${CRLF}Content-Length: 5${CRLF}${CRLF}{"contents":"x"}`,
    ],
    400,
  ],
  [
    'a non-numeric Content-Length',
    [`POST /notes/ HTTP/1.1${CRLF}Host: t${CRLF}Content-Length: ten${CRLF}${CRLF}`],
    400,
  ],
  [
    'two different Content-Lengths',
    [`POST /notes/ HTTP/1.1${CRLF}Host: t${CRLF}Content-Length: 1${CRLF}Content-Length: 2${CRLF}${CRLF}xx`],
    400,
  ],
  [
    'Content-Length and Transfer-Encoding together',
    [
      `POST /notes/ HTTP/1.1${CRLF}Host: t${CRLF}Content-Length: 3${CRLF}Transfer-Encoding: chunked${CRLF}${CRLF}0${CRLF}${CRLF}`,
    ],
    400,
  ],
  [
    'a broken chunk size',
    [
      `POST /notes/ HTTP/1.1${CRLF}Host: t${CRLF}Content-Type: application/json${CRLF}Transfer-Encoding: chunked${CRLF}${CRLF}zz${CRLF}{}${CRLF}0${CRLF}${CRLF}`,
    ],
    400,
  ],
  [
    'a well-formed chunked body',
    [
      `POST /notes/ HTTP/1.1${CRLF}Host: t${CRLF}Connection: close${CRLF}Content-Type: application/json${CRLF}Transfer-Encoding: chunked${CRLF}${CRLF}10${CRLF}{"contents":"x"}${CRLF}0${CRLF}${CRLF}`,
    ],
    201,
  ],
  // slow clients
  ['headers that never finish', [`GET / HTTP/1.1${CRLF}Host: t${CRLF}`, 'X-Slow: 1'], 408, HEADERS_TIMEOUT_MS * 3],
  [
    'a body that never finishes',
    [
      `POST /notes/ HTTP/1.1${CRLF}Host: t${CRLF}Content-Type: application/json${CRLF}Content-Length: 20${CRLF}${CRLF}{"con`,
      'tents',
    ],
    408,
    REQUEST_TIMEOUT_MS * 2,
  ],
];

describe('hostile requests', () => {
  it('has at least 60 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
  });

  // Named fields: the parts array sits between the name and the status, so
  // positional %-placeholders would print the parts where the status belongs.
  const named = cases.map(([name, parts, status, pauseMs]) => ({ name, parts, status, pauseMs }));
  it.concurrent.each(named)('answers $name with $status', async ({ parts, status, pauseMs }) => {
    const response = await rawRequest(port, parts, pauseMs ?? 0);
    expect(response.status).toBe(status);
    if (status >= 400) {
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(JSON.parse(response.body)).toEqual({ error: expect.any(String), message: expect.any(String) });
      expect(response.body).not.toMatch(/\bat .*\.(ts|js):\d+|node_modules|SELECT|INSERT/i);
    }
  });

  it('stops reading a rejected body once LINGERING_CLOSE_MS has passed', async () => {
    // The 413 comes first; a client that never stops sending must not hold the
    // connection (and the server's reading) open for longer than the linger.
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    socket.write(
      request('POST', '/notes/', {
        close: false,
        headers: { 'Content-Type': 'application/json', 'Content-Length': String(1e9) },
      }),
    );
    const answered = new Promise<string>((resolve) => {
      let data = '';
      socket.on('data', (chunk) => {
        data += chunk;
        if (data.includes('\r\n\r\n')) resolve(data.slice(0, data.indexOf('\r\n')));
      });
    });
    const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(performance.now())));
    socket.on('error', () => {}); // the reset past the linger is the point; 'close' follows
    const chunk = Buffer.alloc(16 * 1024, 'x');
    const sending = setInterval(() => socket.writable && socket.write(chunk), 10);
    try {
      expect(await answered).toBe('HTTP/1.1 413 Payload Too Large');
      const answeredAt = performance.now();
      const lingered = (await closed) - answeredAt;
      expect(lingered).toBeGreaterThan(LINGERING_CLOSE_MS / 2); // without the linger: at once
      // Below REQUEST_TIMEOUT_MS, which would otherwise end it after ~1 s.
      expect(lingered).toBeLessThan(LINGERING_CLOSE_MS + 500);
    } finally {
      clearInterval(sending);
      socket.destroy();
    }
  });

  it('answers a request whose client half-closed its side after sending it, as nginx does', async () => {
    // printf 'GET …' | nc -N: the FIN follows the request at once, before the database answers.
    const { url } = stack.service();
    const note = (await (await postNote(url, 'read by a half-closing client')).json()) as { id: number };
    for (const path of [`/notes/${note.id}/`, '/']) {
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
        let data = '';
        socket.on('data', (chunk) => {
          data += chunk;
        });
        socket.on('end', () => resolve(data));
        socket.on('error', reject);
        socket.end(get(path));
      });
      expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      if (path !== '/') expect(answer).toContain('read by a half-closing client');
    }
  });

  it('logs a client that hangs up mid-body as such, not as a database outage', async () => {
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const marker = `abort-${Date.now()}`;
    socket.write(
      requestHead('POST', '/notes/', {
        Host: 't',
        'Content-Type': 'application/json',
        'Content-Length': 1000,
        'X-Request-Id': marker,
      }),
    );
    socket.write('{"contents":"');
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.destroy();
    const logged = async () => (await readFile(join(stack.dir, 'service.log'), 'utf8')).split('\n');
    await waitFor(
      'no line for the aborted request',
      async () => {
        if (!(await logged()).some((line) => line.includes(marker))) throw new Error('not yet');
      },
      { timeoutMs: 3_000, intervalMs: 50 },
    );
    const lines = (await logged()).filter((line) => line.includes(marker));
    expect(lines.join('\n')).toMatch(/the client closed the connection/);
    expect(lines.join('\n')).not.toMatch(/database unavailable/);
  });

  it('still serves after all of them', async () => {
    const { url } = stack.service();
    expect((await fetch(`${url}/`)).status).toBe(200);
    const created = await postNote(url, 'after the hostile requests');
    expect(created.status).toBe(201);
  });
});
