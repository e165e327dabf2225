// One raw HTTP/1.1 exchange over a socket: what no HTTP client will send
// (lying Content-Length, invalid bytes, slow or broken requests).
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Writes `parts` (with `pauseMs` between them) and reads the first response.
 * Resolves with status 0 when the server closed without answering.
 */
export function rawRequest(
  port: number,
  parts: Array<string | Buffer>,
  pauseMs = 0,
  timeoutMs = 10_000,
  host = '127.0.0.1',
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      const response = parse(Buffer.concat(chunks));
      if (response) {
        clearTimeout(timer);
        socket.destroy();
        resolve(response);
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parse(Buffer.concat(chunks), true) ?? { status: 0, headers: {}, body: '' });
    });
    socket.on('error', () => {}); // a reset after the answer is fine; 'close' follows
    socket.on('connect', async () => {
      for (const [i, part] of parts.entries()) {
        if (i > 0 && pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
        if (!socket.destroyed) socket.write(part);
      }
    });
  });
}

/** A request's head: the request line, `headers` in their order, the blank line. */
export function requestHead(method: string, path: string, headers: Record<string, string | number>): string {
  const lines = [`${method} ${path} HTTP/1.1`, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** The first complete response in `data` (bodies framed by Content-Length, or the close). */
function parse(data: Buffer, closed = false): RawResponse | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
  const body = data.subarray(end + 4);
  const length = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
  const status = Number(statusLine.split(' ')[1]);
  if (length !== undefined && body.length >= length)
    return { status, headers, body: body.subarray(0, length).toString('utf8') };
  if (closed || status === 204) return { status, headers, body: body.toString('utf8') }; // HEAD, chunked, or no body
  return undefined;
}

/**
 * Sends `request` and half-closes at once, as `printf … | nc -N` does; resolves
 * with everything the server sent before it ended its side.
 */
export function halfClosedRequest(port: number, request: string | Buffer, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host, allowHalfOpen: true });
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk;
    });
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
    socket.end(request);
  });
}
