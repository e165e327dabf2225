// The external tier's service in watch mode (./rerun-preparation.ts): the
// production service (src/process/production.ts), whose app the rerun preparation
// swaps in place after a save of the app's code only, as npm run dev does. It sends
// { swap: <a bundle of src/process/assemble.ts> } over the IPC channel and gets
// { swapped: true } or { failed: <the line the service logged> } back. A save of
// what this entry loads itself (its static imports) starts a new one instead.
import { pathToFileURL } from 'node:url';
import type { assembleApp } from '../../src/process/assemble.js';
import { startProductionService } from '../../src/process/production.js';
import type { Reloader } from '../../src/process/service.js';
import { runMain } from '../../src/process/shutdown.js';

export type SwapRequest = { swap: string };
export type SwapAnswer = { swapped: true } | { failed: string };

/** A reloader whose saves are the parent's swap requests, one at a time, each answered. */
function swapsFromParent(): Reloader {
  let next = '';
  return {
    async freshAssembler() {
      return ((await import(pathToFileURL(next).href)) as { assembleApp: typeof assembleApp }).assembleApp;
    },
    async watch(onChange, onError) {
      let running = Promise.resolve();
      // Unsent when the parent is gone (it is ending the run): nobody is left to tell.
      const answer = (message: SwapAnswer) => process.send?.(message, undefined, {}, () => {});
      const onMessage = (request: SwapRequest) => {
        running = running.then(async () => {
          next = request.swap;
          try {
            await onChange();
            answer({ swapped: true });
          } catch (error) {
            onError(error);
            answer({ failed: (error as Error).message });
          }
        });
      };
      process.on('message', onMessage);
      return {
        async close() {
          process.off('message', onMessage);
          await running;
          process.disconnect?.();
        },
      };
    },
  };
}

runMain('failed to start', () => startProductionService(swapsFromParent()));
