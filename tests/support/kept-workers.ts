// The main process's half of watch mode's kept workers (./fresh-modules.ts is the
// workers' half; patches/README.md says why Vitest keeps them): each run is
// numbered for the workers, so that they forget our modules at its first file,
// and every file saved is named to them for the next run, so that they fetch its
// code again. A worker that forgets a module keeps the code it fetched for it and
// evaluates that again; Vitest names only the saves it found through its own
// module graph, and none of those that watchTriggerPatterns matched (all of src/).
import type { TestProject } from 'vitest/node';

export function serveKeptWorkers(project: TestProject): void {
  let runs = 0;
  project.provide('run', runs);
  if (!project.vitest.config.watch) return;
  project.onTestsRerun(() => project.provide('run', ++runs));
  const saved = (file: string) => project.vitest.watcher.invalidates.add(file.replaceAll('\\', '/'));
  for (const event of ['add', 'change', 'unlink']) project.vitest.vite.watcher.on(event, saved);
}
