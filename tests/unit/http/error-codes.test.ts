// The error codes are a contract: clients switch on them. One list in the code
// (the kit's and the notes feature's), the served document's enum, and the table
// people read (docs/api.md) all name the same codes with the same statuses.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { KIT_ERRORS } from '../../../src/http/errors.js';
import { NOTES_ERRORS } from '../../../src/notes/routes.js';
import { testApp } from '../../support/test-app.js';

const CODES: Record<string, number> = { ...KIT_ERRORS, ...NOTES_ERRORS };
const read = (path: string) => readFile(new URL(`../../../${path}`, import.meta.url), 'utf8');

/** Code → status from a markdown table whose rows are `| statuses | `codes` | …`, paired in order. */
function tableOf(markdown: string): Record<string, number> {
  const pairs: Record<string, number> = {};
  for (const line of markdown.split('\n')) {
    const cells = /^\| ([\d, ]+) \| ([^|]+) \|/.exec(line);
    if (!cells) continue;
    const statuses = (cells[1] ?? '').split(',').map((status) => Number(status.trim()));
    const codes = [...(cells[2] ?? '').matchAll(/`([a-z0-9_]+)`/g)].map((match) => match[1] ?? '');
    codes.forEach((code, i) => {
      pairs[code] = statuses[Math.min(i, statuses.length - 1)] ?? 0;
    });
  }
  return pairs;
}

describe('the error codes', () => {
  it('are the enum of ApiError in the served document', async () => {
    const document = (await testApp().inject({ url: '/openapi.json' })).json();
    expect(document.components.schemas.ApiError.properties.error.enum).toEqual(Object.keys(CODES));
  });

  it.each(['docs/api.md'])('are all in the table of %s, each with its status', async (path) => {
    expect(tableOf(await read(path))).toEqual(CODES);
  });
});
