// pgbench and wrk each read their script from a file: one in a private temporary
// directory for the length of the run, removed whatever happens.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function withTempFile<T>(name: string, contents: string, use: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'notes-bench-script-'));
  const file = join(dir, name);
  await writeFile(file, contents);
  try {
    return await use(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
