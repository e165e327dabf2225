// Making a cluster: initdb, or, for a throw-away one, a copy of a template that
// initdb made once.
import { randomBytes } from 'node:crypto';
import { chown, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { lastLine, run } from './commands.js';
import { exists, type OsUser, scratchDirectory, shortHash } from './embedded-files.js';
import { prepareDataDir } from './embedded-os-user.js';
import { EmbeddedPostgresError } from './embedded-watch.js';

export interface ClusterOptions {
  user: string;
  password: string;
  /** Throw-away: no sync at initdb, and a copy of the template. */
  ephemeral?: boolean;
  log: (line: string) => void;
}

/** A new cluster in `dataDir`, with the user and password the service connects with. */
export async function initdb(binDir: string, dataDir: string, osUser: OsUser | undefined, options: ClusterOptions) {
  options.log(`creating a new PostgreSQL cluster in ${dataDir}`);
  // Beside the data directory, not in /tmp: gone with a throw-away cluster's directory even after a crash.
  const pwfile = join(dirname(dataDir), `.notes-service-pw-${randomBytes(8).toString('hex')}`);
  await writeFile(pwfile, `${options.password}\n`, { mode: 0o600 });
  try {
    if (osUser) await chown(pwfile, osUser.uid, osUser.gid);
    await run(
      join(binDir, 'initdb'),
      [
        `--pgdata=${dataDir}`,
        `--username=${options.user}`,
        `--pwfile=${pwfile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
        ...(options.ephemeral ? ['--no-sync'] : []),
      ],
      { ...(osUser ?? {}), cwd: dataDir, env: { ...process.env, LC_MESSAGES: 'C' } },
    );
  } catch (error) {
    throw new EmbeddedPostgresError(`initdb failed in ${dataDir}: ${lastLine((error as { stderr?: string }).stderr)}`);
  } finally {
    await rm(pwfile, { force: true });
  }
}

/**
 * A throw-away cluster is a copy of one initdb made once per binaries, user and
 * password, kept in a directory of this OS user's (shared by every run of theirs):
 * copying takes a fifth of initdb's time, which every test run and fault test
 * would otherwise pay first. `cp -a` keeps the postgres user's ownership and the
 * modes PostgreSQL insists on. Where no template can be made or copied, initdb.
 */
export async function copyTemplateCluster(
  binDir: string,
  dataDir: string,
  osUser: OsUser | undefined,
  options: ClusterOptions,
) {
  try {
    const template = await templateCluster(binDir, osUser, options);
    options.log(`creating a new PostgreSQL cluster in ${dataDir} (a copy of ${template})`);
    await rm(dataDir, { recursive: true, force: true });
    await run('cp', ['-a', template, dataDir]);
  } catch (error) {
    options.log(`no template cluster to copy (${(error as Error).message.split('\n')[0]}): initdb instead`);
    await rm(dataDir, { recursive: true, force: true });
    await prepareDataDir(dataDir, osUser);
    await initdb(binDir, dataDir, osUser, options);
  }
}

/** The template's directory, made by initdb if it isn't there yet; a parallel run's is as good. */
async function templateCluster(binDir: string, osUser: OsUser | undefined, options: ClusterOptions) {
  const { stdout: version } = await run(join(binDir, 'postgres'), ['--version']);
  const key = shortHash([version, binDir, options.user, options.password].join('\0'));
  // This OS user's own: another's (root's) would be neither writable nor theirs to copy.
  const dir = await scratchDirectory(`notes-service-templates-${userInfo().uid}`);
  const template = join(dir, `template-${key}`);
  if (await exists(join(template, 'PG_VERSION'))) return template;
  await removeAbandonedPartials(dir);
  const partial = `${template}.${randomBytes(4).toString('hex')}`;
  await prepareDataDir(partial, osUser);
  try {
    // Synced, unlike the throw-away clusters themselves: the template outlives every run.
    await initdb(binDir, partial, osUser, { ...options, ephemeral: false, log: () => {} });
    await rename(partial, template);
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    if (!(await exists(join(template, 'PG_VERSION')))) throw error; // else a parallel run made it first
  }
  return template;
}

/** Templates half made by a run killed meanwhile (older than any initdb takes). */
async function removeAbandonedPartials(dir: string) {
  for (const name of await readdir(dir)) {
    if (!/^template-[0-9a-f]+\.[0-9a-f]+$/.test(name)) continue;
    const { mtimeMs } = await stat(join(dir, name)).catch(() => ({ mtimeMs: Date.now() }));
    if (Date.now() - mtimeMs > 10 * 60_000) await rm(join(dir, name), { recursive: true, force: true });
  }
}
