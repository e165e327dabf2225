#!/usr/bin/env -S node --import tsx
// The talk's _wait_for_http_url: GET the URL every APP_WAIT_INTERVAL_MS (200) until
// it answers 200 or APP_WAIT_TIMEOUT_MS (60000) has passed. --once: one try.
// Usage: scripts/wait-for-url.ts [--once] URL   Exit 0 when it answered 200, 1 otherwise.
import { expectHttp200, waitForHttp200 } from '../tools/wait.js';

const args = process.argv.slice(2);
const once = args.includes('--once');
const url = args.find((arg) => !arg.startsWith('--'));
if (!url) {
  console.error('usage: scripts/wait-for-url.ts [--once] URL');
  process.exit(2);
}
const ms = (name: string, fallback: number) => {
  const value = process.env[name] || String(fallback);
  if (!/^\d+$/.test(value)) {
    console.error(`${name} must be a whole number of milliseconds, got "${value}"`);
    process.exit(2);
  }
  return Number(value);
};
const timing = { timeoutMs: ms('APP_WAIT_TIMEOUT_MS', 60_000), intervalMs: ms('APP_WAIT_INTERVAL_MS', 200) };
try {
  await (once ? expectHttp200(url, Math.max(timing.intervalMs, 1_000)) : waitForHttp200(url, timing));
  process.exit(0);
} catch (error) {
  if (!once) console.error((error as Error).message);
  process.exit(1);
}
