// What the embedded PostgreSQL needs to know from the file system: whether the
// `postgres` OS user can reach a path, whether a server still runs in a data
// directory, and where to put what it can't reach.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { isRunning } from '../system/process-running.js';

/** Names the process that started the server in a data directory (its pid). */
export const OWNER_FILE = 'notes-service.owner';

export async function readOwner(dataDir: string): Promise<number | undefined> {
  const text = await readFile(join(dataDir, OWNER_FILE), 'utf8').catch(() => '');
  const pid = Number.parseInt(text, 10);
  return Number.isInteger(pid) ? pid : undefined;
}

export interface OsUser {
  uid: number;
  gid: number;
}

export interface FileOwnership {
  uid: number;
  gid: number;
  mode: number;
}

/** May `user` pass through a directory with this owner and mode (the x bit that applies to it)? */
export function canTraverse(directory: FileOwnership, user: OsUser): boolean {
  const bit = directory.uid === user.uid ? 0o100 : directory.gid === user.gid ? 0o010 : 0o001;
  return (directory.mode & bit) !== 0;
}

/** The first existing directory on the way from / to `path` that `user` cannot pass, if any. */
export async function findBlockedDirectory(path: string, user: OsUser): Promise<string | undefined> {
  const chain: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    chain.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of chain) {
    const info = await stat(dir).catch(() => undefined);
    if (!info) return undefined; // not there yet: we create the rest, traversable
    if (!canTraverse(info, user)) return dir;
  }
  return undefined;
}

/** The server described by postmaster.pid, if that process is still a running postgres. */
export async function readLiveServer(dataDir: string): Promise<{ pid: number; port: number } | undefined> {
  const text = await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  if (!text) return undefined;
  const lines = text.split('\n'); // pid, data dir, start time, port, ... (PostgreSQL's documented layout)
  const pid = Number.parseInt(lines[0] ?? '', 10);
  const port = Number.parseInt(lines[3] ?? '', 10);
  if (!Number.isInteger(pid) || !Number.isInteger(port)) return undefined;
  // Not running: killed with the previous run, and PostgreSQL clears the stale file itself.
  if (!(await isRunning(pid))) return undefined;
  // After a reboot the pid may belong to another program: only a postgres counts.
  const command = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => 'postgres');
  return command.trim() === 'postgres' ? { pid, port } : undefined;
}

/** A directory every user can enter, kept across reboots where the system has one; `name` in /var/tmp. */
export async function scratchDirectory(name = 'notes-service'): Promise<string> {
  const dir = join(existsSync('/var/tmp') ? '/var/tmp' : tmpdir(), name);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  return dir;
}

export const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** 12 hex digits naming a path or a key in a directory name. */
export const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);
