// The talk's three tiers as Vitest projects. One global setup serves them all:
// it starts a throw-away PostgreSQL (or uses POSTGRES_HOST) only when the
// integrated or external tier runs, and the service only for the external tier
// when APP_URL is not given.
import { defineConfig } from 'vitest/config';

const tier = (name: string) => ({ test: { name, include: [`tests/${name}/**/*.test.ts`] } });

export default defineConfig({
  test: {
    globalSetup: ['tests/support/global-setup.ts'],
    projects: [tier('unit'), tier('integrated'), tier('external')],
    // Vitest refuses a committed .only when CI=true; keep it that way.
    allowOnly: !process.env.CI,
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
