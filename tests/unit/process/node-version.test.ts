// The one line an entry prints on a Node.js below what package.json's engines names.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { unsupportedNode } from '../../../src/process/node-version.js';

describe('unsupportedNode', () => {
  it('says nothing on 22 and 24', () => {
    expect(unsupportedNode('22.12.0')).toBeUndefined();
    expect(unsupportedNode('24.22.3')).toBeUndefined();
  });

  it('says in one line that 20 is below the range package.json declares, and what to use', async () => {
    const { engines } = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8'));
    const line = unsupportedNode('20.20.2');
    expect(line).toBe(
      `Node.js 20.20.2 is below the supported ${engines.node} (what the dependencies declare); it may run, but use Node.js 22 or 24 (.nvmrc)`,
    );
    expect(line).not.toContain('\n');
  });
});
