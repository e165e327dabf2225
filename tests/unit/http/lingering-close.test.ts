// The lingering close after a rejected body (src/http/lingering-close.ts), over a
// real socket: the 413 comes first, the server half-closes, reads and drops what
// the client still sends, and closes when the client does or LINGERING_CLOSE_MS
// has passed. A request that arrived whole closes as usual.
import { connect } from 'node:net';
import { expect, it } from 'vitest';
import { describeAtOnce } from '../../support/at-once.js';
import { requestHead } from '../../support/raw-http.js';
import { listeningTestApp } from '../../support/test-app.js';

const LINGER_MS = 400;

/** A client on `port` that sends `head`, then keeps sending body bytes every 10 ms unless `quiet`. */
function client(port: number, head: string, { quiet = false } = {}) {
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  socket.on('error', () => {}); // a reset once the linger ends is what it may get
  const started = performance.now();
  let data = '';
  const answered = new Promise<{ statusLine: string; at: number }>((resolve) => {
    socket.on('data', (chunk) => {
      data += chunk;
      if (data.includes('\r\n\r\n'))
        resolve({ statusLine: data.slice(0, data.indexOf('\r\n')), at: performance.now() });
    });
  });
  const serverEnded = new Promise<number>((resolve) => socket.on('end', () => resolve(performance.now())));
  const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(performance.now())));
  socket.write(head);
  const sending = quiet ? undefined : setInterval(() => socket.writable && socket.write(Buffer.alloc(8_192, 'x')), 10);
  return {
    socket,
    started,
    answered,
    serverEnded,
    closed,
    stopSending: () => clearInterval(sending),
  };
}

const oversized = requestHead('POST', '/notes/', {
  Host: 't',
  'Content-Type': 'application/json',
  'Content-Length': 1e9,
});

describeAtOnce('the lingering close', () => {
  it('answers 413, half-closes at once, and cuts a client that never stops sending after LINGERING_CLOSE_MS', async ({
    onTestFinished,
  }) => {
    const { port } = await listeningTestApp({ limits: { lingeringCloseMs: LINGER_MS } }, onTestFinished);
    const sender = client(port, oversized);
    try {
      const { statusLine, at } = await sender.answered;
      expect(statusLine).toBe('HTTP/1.1 413 Payload Too Large');
      expect((await sender.serverEnded) - at).toBeLessThan(LINGER_MS / 2); // its side ends with the answer
      const lingered = (await sender.closed) - at;
      expect(lingered).toBeGreaterThanOrEqual(LINGER_MS * 0.75); // kept reading meanwhile
      expect(lingered).toBeLessThan(LINGER_MS + 2_000);
    } finally {
      sender.stopSending();
      sender.socket.destroy();
    }
  });

  it('closes as soon as the client ends its side, well before LINGERING_CLOSE_MS', async ({ onTestFinished }) => {
    const { port } = await listeningTestApp({ limits: { lingeringCloseMs: 5_000 } }, onTestFinished);
    const sender = client(port, oversized);
    try {
      const { at } = await sender.answered;
      sender.stopSending();
      sender.socket.end();
      expect((await sender.closed) - at).toBeLessThan(2_500);
    } finally {
      sender.socket.destroy();
    }
  });

  it('with LINGERING_CLOSE_MS=0, closes right after the answer', async ({ onTestFinished }) => {
    const { port } = await listeningTestApp({ limits: { lingeringCloseMs: 0 } }, onTestFinished);
    const sender = client(port, oversized);
    try {
      const { statusLine, at } = await sender.answered;
      expect(statusLine).toBe('HTTP/1.1 413 Payload Too Large');
      expect((await sender.closed) - at).toBeLessThan(2_500);
    } finally {
      sender.stopSending();
      sender.socket.destroy();
    }
  });

  it('leaves a rejected request that arrived whole alone: with Connection: close, what follows is not read', async ({
    onTestFinished,
  }) => {
    const { port } = await listeningTestApp({ limits: { lingeringCloseMs: 5_000 } }, onTestFinished);
    const body = '{"contents": ';
    const whole = client(
      port,
      requestHead('POST', '/notes/', {
        Host: 't',
        'Content-Type': 'application/json',
        'Content-Length': body.length,
        Connection: 'close',
      }) + body,
      { quiet: true },
    );
    try {
      const { statusLine, at } = await whole.answered;
      expect(statusLine).toBe('HTTP/1.1 400 Bad Request');
      await whole.serverEnded;
      // What comes after a whole request is no body to drain: the server has let
      // go of the connection (a reset), not lingered for 5 s reading it. (A header
      // line at a time: a request that never completes, so nothing else ends it.)
      whole.socket.write(`GET / HTTP/1.1\r\nHost: t\r\n`);
      const late = setInterval(() => whole.socket.writable && whole.socket.write('X-Late: 1\r\n'), 20);
      try {
        expect((await whole.closed) - at).toBeLessThan(2_500);
      } finally {
        clearInterval(late);
      }
    } finally {
      whole.socket.destroy();
    }
  });
});
