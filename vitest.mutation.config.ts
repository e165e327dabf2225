// The tiers mutation testing runs (stryker.config.mjs): unit and integrated, the
// ones that import src/ into the test process, where Stryker switches mutants on.
// The external tier talks to a separate service process no mutant reaches.
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

const MUTATION_TIERS = ['unit', 'integrated'];

export default defineConfig({
  test: {
    ...base.test,
    // Stryker reruns the same files with mutants switched at run time; nothing to gain, so nothing to risk.
    experimental: { ...base.test?.experimental, fsModuleCache: false },
    projects: (base.test?.projects ?? []).filter(
      (project) => typeof project === 'object' && MUTATION_TIERS.includes(String(project.test?.name)),
    ),
  },
});
