// Lingering close, as nginx's lingering_close. Fastify answers a body it rejects
// (over BODY_LIMIT_BYTES: a 413 before reading a byte of it) and closes the
// connection while the client is still sending. Closing a socket with unread
// data, or receiving data after closing, makes the kernel send a reset, and a
// reset discards what the client had not read yet: the client sees ECONNRESET or
// EPIPE instead of the 413. So the answer is followed by a half-close, and what
// the client still sends is read and dropped until it closes its side or the
// time runs out.
import type { Socket } from 'node:net';
import type { App } from './app-instance.js';

export function lingerOnEarlyClose(app: App, lingeringCloseMs: number): void {
  // Stryker disable next-line all: a linger of 0 ms closes at once as well; this only saves the hook
  if (lingeringCloseMs === 0) return;
  // onError: only rejected requests pay for the check, not every response.
  app.addHook('onError', async (request, reply) => {
    // `complete`: the whole request, body included, has been received.
    if (!request.raw.complete && reply.getHeader('connection') === 'close') {
      lingerOnClose(request.raw.socket, lingeringCloseMs);
    }
  });
}

/**
 * Node's HTTP server ends a connection whose last response is sent with
 * `socket.destroySoon()`: end, then destroy as soon as the end is flushed. This
 * socket's own destroySoon ends and waits for the client's end instead.
 */
function lingerOnClose(socket: Socket, lingeringCloseMs: number): void {
  socket.destroySoon = function lingeringClose(this: Socket) {
    const timer = setTimeout(() => this.destroy(), lingeringCloseMs).unref();
    // Stryker disable next-line all: tidiness; the timer is unref'd and destroying a closed socket does nothing
    this.once('close', () => clearTimeout(timer));
    // Node's own handling of a rejected request overlaps these three while its
    // parser is attached (each alone can go without a test noticing; all three
    // together are the half-close and the draining that tests/unit/http/
    // lingering-close.test.ts sees), so each is kept for when it is detached.
    // Stryker disable next-line all
    this.once('end', () => this.destroy());
    // Stryker disable next-line all
    this.end();
    // The HTTP parser reads (and drops) the rest of the body; once it is
    // detached, nothing else would.
    // Stryker disable next-line all
    this.resume();
  };
}
