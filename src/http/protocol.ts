// The HTTP/1.x rules every request meets before any route, each answered in the
// one error shape: a Host header on 1.1, only versions 1.0 and 1.1 (505), no
// body encoding we would misread as JSON (415), no expectation but 100-continue
// (417, which Node would otherwise answer with an empty body). And two things
// Node does differently from nginx by default: a client that half-closes after
// its request still gets the answer, and JSON is never content-sniffed.
import type { App } from './app-instance.js';
import { rawErrorResponse, sendError } from './errors.js';

export function enforceHttpRules(app: App): void {
  // Node's default treats the client's FIN as an abort, so `printf 'GET …' | nc -N`
  // got nothing from any route that waits for the database. With this, the answer
  // goes out and then the server closes its side.
  // An undocumented field of http.Server, stable since Node 0.x and used by Node's
  // own tests; tests/faults/hostile-requests.test.ts fails if it stops working.
  (app.server as typeof app.server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;

  app.server.on('checkExpectation', (_request, response) => {
    // Stryker disable next-line OptionalChaining: a request being answered has its socket
    response.socket?.end(
      rawErrorResponse(417, 'expectation_failed', 'the only expectation this service meets is 100-continue'),
    );
  });

  // A callback hook, not an async one: it runs on every request, and an async
  // hook costs a promise and a turn of the microtask queue each time. An answer
  // sent here ends the request without done().
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-content-type-options', 'nosniff');
    const version = request.raw.httpVersion;
    if (version !== '1.1' && version !== '1.0') {
      sendError(reply, 505, 'http_version_not_supported', `HTTP/${version} is not supported; use HTTP/1.1`);
      return;
    }
    if (version === '1.1' && !request.headers.host) {
      sendError(reply, 400, 'bad_request', 'HTTP/1.1 requests must carry a Host header');
      return;
    }
    const encoding = request.headers['content-encoding'];
    if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
      reply.header('accept-encoding', 'identity'); // RFC 9110 §15.5.16: the codings we do accept
      sendError(
        reply,
        415,
        'unsupported_content_encoding',
        `Content-Encoding ${encoding} is not supported; send the body uncompressed`,
      );
      return;
    }
    done();
  });
}
