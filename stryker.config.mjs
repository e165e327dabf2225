// Mutation testing (npm run test:mutation, make mutation): StrykerJS changes the
// service's code one small way at a time and runs the unit and integrated tiers
// against each change; a change no test notices is a missing test. Incremental:
// reports/stryker-incremental.json (committed) remembers every mutant's result,
// so a run re-tests only the mutants of changed code and the tests that changed.
// Needs Node.js >= 22.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: ['src/**/*.ts'],
  // Vitest strips types without checking them: no @ts-nocheck needed, and none written into the files.
  disableTypeChecks: false,
  coverageAnalysis: 'perTest',
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.data/stryker-tmp',
  cleanTempDir: 'always',
  concurrency: 2,
  timeoutMS: 10000,
  thresholds: { high: 90, low: 85, break: null },
};
