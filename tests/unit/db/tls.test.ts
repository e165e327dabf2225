// The parts of TLS to PostgreSQL (src/db/tls.ts) that need no PostgreSQL: the
// SSLRequest probe against stand-in servers, and certificate failures said in
// one line. tests/integrated/db/tls.test.ts connects to a real one.
import { createServer, type Server, type Socket } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ConfigError } from '../../../src/config-reader.js';
import { describeTlsFailure, expectTlsOffered, postgresSsl } from '../../../src/db/tls.js';
import { freePort } from '../../../tools/free-port.js';

/** A stand-in server on a free port that answers an SSLRequest with `answer` (or never, with undefined). */
async function standIn(answer: string | undefined) {
  const sockets: Socket[] = [];
  const closed: Socket[] = [];
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    socket.on('close', () => closed.push(socket));
    socket.on('error', () => {});
    socket.once('data', () => answer !== undefined && socket.write(answer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  return { port: (server.address() as { port: number }).port, sockets, closed };
}

const settings = (port: number, connectTimeoutMs = 1_000) =>
  ({ host: '127.0.0.1', port, sslMode: 'require', sslCaFile: undefined, connectTimeoutMs }) as const;

describe('expectTlsOffered', () => {
  it('resolves when the server answers S, and closes its probe connection', async () => {
    const server = await standIn('S');
    await expect(expectTlsOffered(settings(server.port))).resolves.toBeUndefined();
    await expect.poll(() => server.closed.length).toBe(1);
  });

  it('refuses a server that answers N, naming the setting and the server', async () => {
    const server = await standIn('N');
    await expect(expectTlsOffered(settings(server.port))).rejects.toThrow(
      new ConfigError(`POSTGRES_SSL_MODE=require, but the server at 127.0.0.1:${server.port} does not offer TLS`),
    );
  });

  it('fails as CONNECT_TIMEOUT when the server never answers, after the connect timeout', async () => {
    const server = await standIn(undefined);
    const started = performance.now();
    await expect(expectTlsOffered(settings(server.port, 200))).rejects.toMatchObject({
      code: 'CONNECT_TIMEOUT',
      message: 'no answer to SSLRequest',
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('fails with the socket’s own error when nothing listens', async () => {
    await expect(expectTlsOffered(settings(await freePort()))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('describeTlsFailure', () => {
  it.each([
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'CERT_HAS_EXPIRED',
    'CERT_NOT_YET_VALID',
    'ERR_TLS_CERT_ALTNAME_INVALID',
  ])('says %s in one line naming the server and the settings', (code) => {
    const failure = describeTlsFailure(Object.assign(new Error('certificate trouble'), { code }), {
      ...settings(5432),
      sslMode: 'verify-full',
      sslCaFile: '/etc/ca.pem',
    });
    expect(failure).toEqual(
      new ConfigError(
        'the TLS certificate of PostgreSQL at 127.0.0.1:5432 does not verify ' +
          '(POSTGRES_SSL_MODE=verify-full, POSTGRES_SSL_CA_FILE=/etc/ca.pem): certificate trouble',
      ),
    );
  });

  it('leaves the CA file out when none is set, and anything but a certificate failure alone', () => {
    const expired = Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' });
    expect(describeTlsFailure(expired, { ...settings(5432), sslMode: 'verify-full' })?.message).toBe(
      'the TLS certificate of PostgreSQL at 127.0.0.1:5432 does not verify (POSTGRES_SSL_MODE=verify-full): certificate has expired',
    );
    for (const other of [Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), new Error('no code'), null]) {
      expect(describeTlsFailure(other, settings(5432))).toBeUndefined();
    }
  });
});

describe('postgresSsl', () => {
  it('maps the modes: disable is off, require encrypts unchecked, verify-full checks without a CA file too', () => {
    expect(postgresSsl({ ...settings(5432), sslMode: 'disable' })).toBe(false);
    expect(postgresSsl(settings(5432))).toBe('require');
    expect(postgresSsl({ ...settings(5432), sslMode: 'verify-full' })).toMatchObject({ rejectUnauthorized: true });
    expect(postgresSsl({ ...settings(5432), sslMode: 'verify-full' })).not.toHaveProperty('ca');
  });

  it('names a CA file it cannot read', () => {
    expect(() => postgresSsl({ ...settings(5432), sslMode: 'verify-full', sslCaFile: '/nonexistent/ca.pem' })).toThrow(
      /^POSTGRES_SSL_CA_FILE: cannot read \/nonexistent\/ca\.pem \(ENOENT/,
    );
  });
});
