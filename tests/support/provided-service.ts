// The service the external tier tests: APP_URL's, or the one the global setup
// starts. A file that imports this module waits here, once per worker and run
// (its top-level await), until the setup has written the service's ready file.
import { inject } from 'vitest';
import { waitForReady } from './provided.js';

const started = await waitForReady(inject('serviceReady'));

export function appUrl(): string {
  const url = inject('appUrl') ?? started.appUrl;
  if (!url) throw new Error('no service: the global setup starts one for the external tier unless APP_URL is set');
  return url;
}
