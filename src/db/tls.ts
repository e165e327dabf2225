// TLS to PostgreSQL (POSTGRES_SSL_MODE, POSTGRES_SSL_CA_FILE): the `ssl` option
// postgres.js gets, and what it doesn't do itself. It names the server by
// POSTGRES_HOST only when that is a DNS name, so an IP address would be checked
// against "localhost"; and a server that refuses TLS would first look like one
// that is down, with the start waiting out POSTGRES_WAIT_TIMEOUT_MS. Neither mode
// ever falls back to plaintext.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { type ConnectionOptions, checkServerIdentity } from 'node:tls';
import type { PostgresConfig } from '../config.js';
import { ConfigError } from '../config-reader.js';

type TlsSettings = Pick<PostgresConfig, 'sslMode' | 'sslCaFile' | 'port' | 'connectTimeoutMs'> & { host: string };

/** postgres.js's `ssl` option for the settings (read once: a missing CA file fails the start). */
export function postgresSsl(settings: TlsSettings): false | 'require' | ConnectionOptions {
  if (settings.sslMode === 'disable') return false;
  if (settings.sslMode === 'require') return 'require';
  let ca: Buffer | undefined;
  if (settings.sslCaFile) {
    try {
      ca = readFileSync(settings.sslCaFile);
    } catch (error) {
      throw new ConfigError(`POSTGRES_SSL_CA_FILE: cannot read ${settings.sslCaFile} (${(error as Error).message})`);
    }
  }
  return {
    ...(ca ? { ca } : {}),
    rejectUnauthorized: true,
    // The name the certificate must carry is the one we connect to, IP address or DNS name.
    checkServerIdentity: (_servername, certificate) => checkServerIdentity(settings.host, certificate),
  };
}

/** The protocol's SSLRequest: length 8, code 80877103. */
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 4, 210, 22, 47]);

/**
 * Asks the server whether it offers TLS, as every client does first. Rejects with
 * the socket's error when nothing answers (the caller waits and retries), with a
 * ConfigError when the server answers no.
 */
export function expectTlsOffered(settings: TlsSettings): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: settings.host, port: settings.port });
    const timer = setTimeout(
      () => socket.destroy(Object.assign(new Error('no answer to SSLRequest'), { code: 'CONNECT_TIMEOUT' })),
      settings.connectTimeoutMs,
    );
    const done = (error?: Error) => {
      // Stryker disable next-line all: the timer's destroy of a destroyed socket does nothing
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    socket.once('connect', () => socket.write(SSL_REQUEST));
    socket.once('data', (answer) =>
      done(
        answer[0] === 0x53 // 'S'
          ? undefined
          : new ConfigError(
              `POSTGRES_SSL_MODE=${settings.sslMode}, but the server at ${settings.host}:${settings.port} does not offer TLS`,
            ),
      ),
    );
    socket.once('error', done);
  });
}

// Node's codes for a certificate that doesn't verify: none of them fixes itself.
const VERIFICATION_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** A certificate failure said in one line that names the server and the setting, or undefined. */
export function describeTlsFailure(error: unknown, settings: TlsSettings): Error | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !VERIFICATION_CODES.has(code)) return undefined;
  return new ConfigError(
    `the TLS certificate of PostgreSQL at ${settings.host}:${settings.port} does not verify ` +
      `(POSTGRES_SSL_MODE=${settings.sslMode}${settings.sslCaFile ? `, POSTGRES_SSL_CA_FILE=${settings.sslCaFile}` : ''}): ${(error as Error).message}`,
  );
}
