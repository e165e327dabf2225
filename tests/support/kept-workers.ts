// The main process's half of watch mode's kept workers (./fresh-modules.ts is theirs):
// each run is numbered for them, and each saved file named, so that they fetch its code
// again rather than evaluate the code they fetched before (vi.resetModules keeps that).
import type { TestProject } from 'vitest/node';

export function serveKeptWorkers(project: TestProject): void {
  let runs = 0;
  project.provide('run', runs);
  if (!project.vitest.config.watch) return;
  project.onTestsRerun(() => project.provide('run', ++runs));
  const saved = (file: string) => project.vitest.watcher.invalidates.add(file.replaceAll('\\', '/'));
  for (const event of ['add', 'change', 'unlink']) project.vitest.vite.watcher.on(event, saved);
}
