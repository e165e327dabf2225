// Promise 7: bad input never hurts. Each hostile request (tests/faults/hostile/)
// gets its exact JSON 4xx, its error code included (or the correct 2xx), never a
// 5xx, never a hang; afterwards the service still serves. Raw sockets, because
// no HTTP client sends most of these.
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../tools/wait.js';
import { postNote, useFaultStack } from '../support/fault-stack.js';
import { halfClosedRequest, rawRequest, requestHead } from '../support/raw-http.js';
import { bodyCases } from './hostile/body-cases.js';
import { httpCases } from './hostile/http-cases.js';
import { get, request } from './hostile/requests.js';

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

const cases = [
  ...bodyCases,
  ...httpCases({ headersTimeoutMs: HEADERS_TIMEOUT_MS, requestTimeoutMs: REQUEST_TIMEOUT_MS }),
];

describe('hostile requests', () => {
  it('has at least 60 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
  });

  // Named fields: the parts array sits between the name and the status, so
  // positional %-placeholders would print the parts where the status belongs.
  const named = cases.map(([name, parts, status, error, pauseMs]) => ({ name, parts, status, error, pauseMs }));
  it.concurrent.each(named)('answers $name with $status $error', async ({ parts, status, error, pauseMs }) => {
    const response = await rawRequest(port, parts, pauseMs ?? 0);
    expect(response.status).toBe(status);
    if (status >= 400) {
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      const answer = JSON.parse(response.body) as { error: string; message: string };
      expect(Object.keys(answer)).toEqual(['error', 'message']);
      expect(answer.error).toBe(error);
      expect(answer.message).toMatch(/^\S.{4,}/); // a sentence for people, not a placeholder
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
      const answer = await halfClosedRequest(port, get(path));
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
