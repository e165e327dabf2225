// describe.concurrent for files whose tests are independent and mostly wait, except
// under mutation testing, where they run one by one (./mutation.ts says why).
import { describe } from 'vitest';
import { UNDER_MUTATION_TESTING } from './mutation.js';

export const describeAtOnce: typeof describe.concurrent = UNDER_MUTATION_TESTING ? describe : describe.concurrent;
