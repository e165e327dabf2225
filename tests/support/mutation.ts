// Whether this test process runs under mutation testing: Stryker's processes carry
// STRYKER_MUTATOR_WORKER, and the test workers they start inherit it. Its Vitest
// runner tells which tests cover a mutant by the test running when the mutated
// code runs, so code run by tests at once, or in a beforeAll, is covered by none
// of them (and a mutant only they would kill counts as surviving): the helpers
// that do either run test by test there instead.
export const UNDER_MUTATION_TESTING = process.env.STRYKER_MUTATOR_WORKER !== undefined;
