// Requests no route sees, each answered in the one error shape with its exact
// code: broken or slow HTTP (src/http/errors.ts's client errors), the protocol
// rules (src/http/protocol.ts), the framework's own 4xx. Over a real socket on a
// free port where only a socket shows it; the database is a double, as in the
// rest of the unit tier. tests/faults/hostile-requests.test.ts sends the same
// and more to a whole service process.
import { describe, expect, it, vi } from 'vitest';
import { describeAtOnce } from '../../support/at-once.js';
import { halfClosedRequest, rawRequest, requestHead } from '../../support/raw-http.js';
import { listeningTestApp, sharedListeningTestApp, sharedTestApp, testApp } from '../../support/test-app.js';

const CRLF = '\r\n';
const json = (answer: { body: string }) => JSON.parse(answer.body) as { error: string; message: string };

describeAtOnce('requests too broken or too slow for any route', () => {
  const port = sharedListeningTestApp(); // each test on connections of its own
  // The request last: the title's placeholders take the row's values in order.
  it.each([
    ['a garbage request line', 400, 'bad_request', 'malformed HTTP request', `HELLO THERE${CRLF}${CRLF}`],
    [
      'a header line without a colon',
      400,
      'bad_request',
      'malformed HTTP request',
      `GET / HTTP/1.1${CRLF}Host: t${CRLF}garbage${CRLF}${CRLF}`,
    ],
    [
      'a header over the size limit',
      431,
      'headers_too_large',
      'the request headers are too large',
      requestHead('GET', '/', { Host: 't', 'X-Big': 'x'.repeat(20_000) }),
    ],
  ])('answers %s with %i %s, closing the connection', async (_case, status, error, message, request) => {
    const answer = await rawRequest(port(), [request]);
    expect(answer.status).toBe(status);
    expect(answer.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'x-content-type-options': 'nosniff',
      connection: 'close',
    });
    expect(json(answer)).toEqual({ error, message });
  });

  it('answers headers that never finish with 408 request_timeout once HEADERS_TIMEOUT_MS passes', async ({
    onTestFinished,
  }) => {
    const { port } = await listeningTestApp(
      { limits: { headersTimeoutMs: 200, requestTimeoutMs: 1_000 } },
      onTestFinished,
    );
    const started = performance.now();
    const answer = await rawRequest(port, [`GET / HTTP/1.1${CRLF}Host: t${CRLF}`, 'X-Slow: 1'], 600);
    expect(answer.status).toBe(408);
    expect(json(answer)).toEqual({ error: 'request_timeout', message: 'the request did not arrive in time' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(200);
  });
});

describe('the protocol rules', () => {
  const port = sharedListeningTestApp(); // each test on connections of its own
  it.each([
    ['HTTP/2.0', 'HTTP/2.0 is not supported; use HTTP/1.1'],
    ['HTTP/0.9', 'HTTP/0.9 is not supported; use HTTP/1.1'],
  ])('answers a request line saying %s with 505 http_version_not_supported', async (version, message) => {
    const answer = await rawRequest(port(), [`GET / ${version}${CRLF}Host: t${CRLF}${CRLF}`]);
    expect(answer.status).toBe(505);
    expect(json(answer)).toEqual({ error: 'http_version_not_supported', message });
  });

  it('serves HTTP/1.0 without a Host header', async () => {
    const answer = await rawRequest(port(), [`GET / HTTP/1.0${CRLF}${CRLF}`]);
    expect(answer.status).toBe(200);
  });

  it('answers an HTTP/1.1 request without Host with 400 bad_request, saying so', async () => {
    const answer = await rawRequest(port(), [`GET / HTTP/1.1${CRLF}Connection: close${CRLF}${CRLF}`]);
    expect(answer.status).toBe(400);
    expect(json(answer)).toEqual({ error: 'bad_request', message: 'HTTP/1.1 requests must carry a Host header' });
  });

  it('answers an Expect other than 100-continue with 417 expectation_failed', async () => {
    const body = '{"contents":"x"}';
    const head = requestHead('POST', '/notes/', {
      Host: 't',
      'Content-Type': 'application/json',
      'Content-Length': body.length,
      Expect: 'something-else',
    });
    const answer = await rawRequest(port(), [head, body]);
    expect(answer.status).toBe(417);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(json(answer)).toEqual({
      error: 'expectation_failed',
      message: 'the only expectation this service meets is 100-continue',
    });
  });

  it('answers the request of a client that half-closed right after sending it', async () => {
    // A readiness that takes a moment: the client's FIN arrives before the answer is ready.
    const { port } = await listeningTestApp({ readiness: () => new Promise((resolve) => setTimeout(resolve, 50)) });
    const answer = await halfClosedRequest(port, requestHead('GET', '/', { Host: 't' }));
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  });
});

describe("the framework's own 4xx, named", () => {
  const app = sharedTestApp(); // the tests look only at each answer
  it('answers a body shorter than its Content-Length with 400 invalid_content_length', async () => {
    const response = await app().inject({
      method: 'POST',
      url: '/notes/',
      headers: { 'content-type': 'application/json', 'content-length': '3' },
      payload: '{"contents":"x"}',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'invalid_content_length',
      message: 'Request body size did not match Content-Length',
    });
  });

  it('answers a malformed percent-encoding with 400 invalid_url', async () => {
    const response = await app().inject({ url: '/notes/%ZZ/' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'invalid_url', message: "'/notes/%ZZ/' is not a valid url component" });
  });

  it('answers an id of more than 100 characters with 414 uri_too_long', async () => {
    const url = `/notes/${'9'.repeat(101)}/`;
    const response = await app().inject({ url });
    expect(response.statusCode).toBe(414);
    expect(response.json()).toEqual({
      error: 'uri_too_long',
      message: `'${url.slice(0, -1)}' is exceeding the max param length`,
    });
  });

  it.each([
    [{ range: 'bytes=999999999-' }, 416, 'range_not_satisfiable', 'Range Not Satisfiable'],
    [{ 'if-match': '"another"' }, 412, 'precondition_failed', 'Precondition Failed'],
    [{}, 200, undefined, undefined],
  ])('answers the docs page file server’s %j with %i', async (headers, status, error, message) => {
    const response = await app().inject({ url: '/docs/static/swagger-ui.css', headers });
    expect(response.statusCode).toBe(status);
    if (error) expect(response.json()).toEqual({ error, message });
  });

  it('answers the docs page file server’s refusal with 403 forbidden', async () => {
    const response = await app().inject({ url: '/docs/static/a%00b' });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({ error: 'forbidden', message: 'Forbidden' });
  });
});

describe('a client that leaves before its body arrived', () => {
  it('is answered 400 request_aborted (nobody reads it) and logged at info as such, not as an outage', async () => {
    const logLines: Array<Record<string, unknown>> = [];
    const app = testApp({ logLines });
    const sent: string[] = [];
    app.addHook('onSend', async (request, _reply, payload) => {
      if (request.url === '/notes/') sent.push(String(payload));
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };
    const { connect } = await import('node:net');
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      requestHead('POST', '/notes/', { Host: 't', 'Content-Type': 'application/json', 'Content-Length': 1000 }),
    );
    socket.write('{"contents":"');
    socket.destroy();
    await vi.waitFor(() => expect(sent).toHaveLength(1), { timeout: 5_000 });
    expect(JSON.parse(sent[0] ?? '')).toEqual({
      error: 'request_aborted',
      message: 'the client closed the connection',
    });
    const aborted = logLines.find((line) => String(line.msg).startsWith('request: the client closed'));
    expect(aborted).toMatchObject({
      level: 30,
      msg: 'request: the client closed the connection before its body arrived',
      cause: expect.stringMatching(/\S/), // the driver-free reason, e.g. "aborted"
    });
    expect(logLines.some((line) => line.msg === 'database unavailable')).toBe(false);
  });
});
