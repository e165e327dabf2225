// npm run openapi: writes openapi.json, the OpenAPI document the service serves
// at /openapi.json, generated from the route schemas with the default config.
// npm run check:openapi (--check): fails when the committed copy is out of date,
// so a schema change shows in review.
import { readFile, writeFile } from 'node:fs/promises';
import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/http/app.js';
import { notesRepository } from '../src/notes/repository.js';

const FILE = new URL('../openapi.json', import.meta.url);

// The document depends on schemas and config only: no database is touched.
const app = buildApp({
  config: { ...loadConfig({}), logLevel: 'silent' },
  notes: notesRepository(undefined as never, { pageMaxBytes: 0, batching: { maxBatch: 1, maxInFlight: 1 } }),
  readiness: async () => {},
});
const response = await app.inject({ url: '/openapi.json' });
await app.close();
const generated = `${JSON.stringify(response.json(), null, 2)}\n`;

if (process.argv.includes('--check')) {
  const committed = await readFile(FILE, 'utf8').catch(() => '');
  if (committed !== generated) {
    console.error('openapi.json is out of date with the route schemas: run npm run openapi and commit it');
    process.exit(1);
  }
  console.log('openapi.json is up to date');
} else {
  await writeFile(FILE, generated);
  console.log('wrote openapi.json');
}
