// npm run settings / npm run openapi: write the files generated from the code
// (tools/generated-files.ts); with --check (npm run check:settings,
// check:openapi) fail instead while a committed copy is out of date, so a new
// setting or a schema change can't go undocumented or unreviewed.
import { writeFile } from 'node:fs/promises';
import { absolute, openApiFiles, settingsFiles, staleFiles } from '../tools/generated-files.js';

const which = process.argv[2];
const generators = { settings: settingsFiles, openapi: openApiFiles };
if (which !== 'settings' && which !== 'openapi') {
  console.error('usage: scripts/generated.ts settings|openapi [--check]');
  process.exit(2);
}
const files = await generators[which]();
const names = files.map((file) => file.path).join(' and ');
if (process.argv.includes('--check')) {
  const stale = await staleFiles(files);
  if (stale.length > 0) {
    console.error(`${stale.join(' and ')} out of date with the code: run npm run ${which} and commit`);
    process.exit(1);
  }
  console.log(`${names}: up to date`);
} else {
  for (const file of files) await writeFile(absolute(file.path), file.text);
  console.log(`wrote ${names}`);
}
