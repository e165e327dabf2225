// A file written whole or not at all, for readers that may look at any moment
// (a service loading its bundle, a test file waiting for the setup's ready file):
// written beside its place under a name of its own, then renamed into it.
import { randomBytes } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';

export async function writeAtomically(path: string, contents: string | Uint8Array): Promise<void> {
  const partial = `${path}.${randomBytes(4).toString('hex')}.partial`;
  await writeFile(partial, contents);
  await rename(partial, path);
}
