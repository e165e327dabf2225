// TLS to PostgreSQL (POSTGRES_SSL_MODE) against a real server: an embedded
// PostgreSQL of this file's own, with TLS on and a certificate that a CA made here
// with openssl signed for 127.0.0.1. require connects; verify-full connects with
// the right CA and refuses a wrong CA or a wrong host at once, in one line; a
// server without TLS is refused rather than spoken to in plaintext.
import { execFile } from 'node:child_process';
import { chmod, chown, rm, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { openMigratedPool } from '../../../src/db/open.js';
import type { ConnectionSettings } from '../../../src/db/pool.js';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../../src/dev/embedded.js';
import { freePort } from '../../../tools/free-port.js';
import { describeAtOnce } from '../../support/at-once.js';
import { testDatabase } from '../../support/provided.js';
import { claimRunDir } from '../../support/run-dir.js';

const run = promisify(execFile);
let dir: string;
let server: EmbeddedPostgres;
let settings: ConnectionSettings;

/** A CA (its certificate in `<name>.crt`) and, with `signs`, a server certificate for `ips` signed by it. */
async function makeCertificates() {
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  for (const ca of ['ca', 'other-ca']) {
    await openssl(
      'req',
      '-x509',
      ...ec,
      '-keyout',
      `${ca}.key`,
      '-out',
      `${ca}.crt`,
      '-days',
      '1',
      '-subj',
      `/CN=${ca}`,
    );
  }
  await openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=notes-test-postgres');
  await writeFile(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  await openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '1',
    '-extfile',
    'san.ext',
  );
  // PostgreSQL reads its key only when its own user owns it and no one else can.
  await chmod(join(dir, 'server.key'), 0o600);
  if (userInfo().uid === 0) {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    await chown(join(dir, 'server.key'), Number(uid.stdout), Number(gid.stdout));
  }
}

beforeAll(async () => {
  dir = await claimRunDir('tls-'); // reaped by a later run if this one is killed
  await makeCertificates();
  const config = loadConfig({});
  const port = await freePort();
  server = await startEmbeddedPostgres({
    ...config.postgres,
    port,
    dataDir: join(dir, 'postgres'),
    startTimeoutMs: config.embeddedPostgres.startTimeoutMs,
    ephemeral: true,
    // 127.0.0.2 as well: an address the certificate doesn't name.
    settings: {
      ssl: 'on',
      ssl_cert_file: join(dir, 'server.crt'),
      ssl_key_file: join(dir, 'server.key'),
      listen_addresses: '127.0.0.1,127.0.0.2',
    },
    log: () => {},
  });
  settings = { ...config.postgres, host: '127.0.0.1', port, poolSize: 1, waitTimeoutMs: 10_000 };
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Opens (and closes) a pool the way the service does; what a query on it says about its connection. */
async function connectAs(overrides: Partial<ConnectionSettings>) {
  const sql = await openMigratedPool({ ...settings, ...overrides }, () => {});
  try {
    const [row] = await sql<{ ssl: boolean }[]>`select ssl from pg_stat_ssl where pid = pg_backend_pid()`;
    return row;
  } finally {
    await sql.end();
  }
}

describeAtOnce('POSTGRES_SSL_MODE', () => {
  it('require: connects encrypted, without checking the certificate', async () => {
    expect(await connectAs({ sslMode: 'require' })).toEqual({ ssl: true });
  });

  it('verify-full: connects encrypted with the CA that signed the certificate', async () => {
    expect(await connectAs({ sslMode: 'verify-full', sslCaFile: join(dir, 'ca.crt') })).toEqual({ ssl: true });
  });

  it('verify-full: fails at once, in one line naming the setting, with another CA', async () => {
    const started = Date.now();
    const failure = connectAs({ sslMode: 'verify-full', sslCaFile: join(dir, 'other-ca.crt') });
    await expect(failure).rejects.toThrow(
      /^the TLS certificate of PostgreSQL at 127\.0\.0\.1:\d+ does not verify \(POSTGRES_SSL_MODE=verify-full, POSTGRES_SSL_CA_FILE=[^)]+\): [^\n]+$/,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('verify-full: fails at once when the certificate does not name the host connected to', async () => {
    const failure = connectAs({ sslMode: 'verify-full', sslCaFile: join(dir, 'ca.crt'), host: '127.0.0.2' });
    await expect(failure).rejects.toThrow(/does not verify .*IP: 127\.0\.0\.2 is not in the cert's list: 127\.0\.0\.1/);
  });

  it('verify-full: checks against the system’s CAs without a CA file, and so refuses this one', async () => {
    const failure = connectAs({ sslMode: 'verify-full' });
    await expect(failure).rejects.toThrow(
      /^the TLS certificate of PostgreSQL at 127\.0\.0\.1:\d+ does not verify \(POSTGRES_SSL_MODE=verify-full\): /,
    );
  });

  it('verify-full: says which CA file it cannot read', async () => {
    const failure = connectAs({ sslMode: 'verify-full', sslCaFile: join(dir, 'missing.crt') });
    await expect(failure).rejects.toThrow(/^POSTGRES_SSL_CA_FILE: cannot read .*missing\.crt/);
  });

  it('require: refuses, at once and without plaintext, a server that offers no TLS', async () => {
    const started = Date.now();
    const plain = { ...testDatabase(), poolSize: 1, waitTimeoutMs: 10_000, sslMode: 'require' as const };
    await expect(openMigratedPool(plain, () => {})).rejects.toThrow(
      /^POSTGRES_SSL_MODE=require, but the server at 127\.0\.0\.1:\d+ does not offer TLS$/,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
