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
    this.once('close', () => clearTimeout(timer));
    this.once('end', () => this.destroy());
    this.end();
    // The HTTP parser reads (and drops) the rest of the body; once it is
    // detached, nothing else would.
    this.resume();
  };
}
