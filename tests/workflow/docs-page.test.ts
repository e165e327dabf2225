// The docs page in a real browser (Debian's Chromium driven by playwright-core;
// never a downloaded browser): /docs loads with no network beyond the service,
// creates a note through "Try it out" and finds it in the listing. A screenshot
// goes to .data/artifacts/docs-page.png.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServiceProcess, startServiceProcess } from '../../tools/service-process.js';
import { testDatabase } from '../support/provided.js';
import { readTestSettings } from '../support/settings.js';

// Debian's Chromium; CHROMIUM_PATH names another (Google Chrome on GitHub's runners).
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../.data/artifacts/', import.meta.url));
// CI installs Chromium (.ci/run); elsewhere the test says it's missing rather than fail.
const available = existsSync(CHROMIUM) || process.env.CI === 'true';

let browser: Browser;
let service: ServiceProcess;
let dir: string;

beforeAll(async () => {
  if (!available) return;
  dir = await mkdtemp(join(tmpdir(), 'notes-docs-'));
  service = await startServiceProcess(testDatabase(), join(dir, 'service.log'), readTestSettings().appWait);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await service?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!available)(`the docs page (needs ${CHROMIUM}: apt-get install chromium)`, () => {
  it('creates a note through Try it out and finds it in the listing, offline', async () => {
    const page = await browser.newPage();
    const outside: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(service.url) && !request.url().startsWith('data:')) outside.push(request.url());
    });
    const contents = `from the docs page ${Date.now()}`;

    await page.goto(`${service.url}/docs`);
    const create = page.locator('.opblock-post', { hasText: '/notes/' });
    await create.locator('.opblock-summary').click();
    await create.getByRole('button', { name: 'Try it out' }).click();
    await create.locator('textarea.body-param__text').fill(JSON.stringify({ contents }));
    await create.getByRole('button', { name: 'Execute' }).click();
    await expect
      .poll(() => create.locator('.live-responses-table tbody .response-col_status').first().innerText())
      .toBe('201');

    const list = page.locator('.opblock-get', { has: page.locator('.opblock-summary-path[data-path="/notes/"]') });
    await list.locator('.opblock-summary').click();
    await list.getByRole('button', { name: 'Try it out' }).click();
    await list.getByRole('button', { name: 'Execute' }).click();
    await expect
      .poll(() => list.locator('.live-responses-table tbody .response-col_status').first().innerText())
      .toBe('200');
    await expect
      .poll(() => list.locator('.live-responses-table .highlight-code').first().innerText())
      .toContain(contents);

    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'docs-page.png'), fullPage: true });
    expect(outside).toEqual([]);
  });
});
