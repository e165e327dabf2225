// The OpenAPI document the service serves, made from the routes' own schemas.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { absolute, servedOpenApi, staleFiles, TYPES_FILE, typesMadeFrom } from '../../../tools/generated-files.js';
import { TEST_CONFIG, testApp } from '../../support/test-app.js';

describe('GET /openapi.json', () => {
  it('documents every notes route from the same schemas that validate them', async () => {
    const response = await testApp().inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/', '/notes/', '/notes/{id}/']));
    expect(
      document.paths['/notes/'].post.requestBody.content['application/json'].schema.properties.contents.maxLength,
    ).toBe(TEST_CONFIG.noteMaxLength);
  });
});

describe('the document’s version', () => {
  it('is package.json’s', async () => {
    const { version } = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8'));
    expect((await testApp().inject({ url: '/openapi.json' })).json().info.version).toBe(version);
  });
});

describe('the committed document', () => {
  it('is the one the service serves, and its types are made from it: a schema change shows in review', async () => {
    const document = await servedOpenApi();
    expect(await staleFiles([document])).toEqual([]);
    // The types name the document by hash (npm run check generates them again and compares them whole).
    const types = await readFile(absolute(TYPES_FILE), 'utf8');
    expect(types.split('\n')[2]).toBe(typesMadeFrom(document).trimEnd());
  });
});
