// describe.concurrent for files whose tests are independent and mostly wait, except
// under mutation testing: Stryker's Vitest runner tells which tests cover a mutant
// by the test running when its code runs, which tests running at once confuse (a
// mutant covered only by them was counted as surviving). Stryker's processes carry
// STRYKER_MUTATOR_WORKER, and the test workers they start inherit it.
import { describe } from 'vitest';

export const describeAtOnce: typeof describe.concurrent =
  process.env.STRYKER_MUTATOR_WORKER === undefined ? describe.concurrent : describe;
