// Preloaded (node --import) into the service processes that
// tests/external/startup-failures.test.ts starts, each to fail before the app's
// modules load: a load of the app (src/process/assemble.ts, from a bundle or
// through tsx) fails the start in its own words instead, so the test that expects
// another line fails. Watch mode reruns that file only for what loads before the
// app (vitest.config.ts): this keeps it honest. Plain JavaScript: Node loads it.
import module from 'node:module';

const APP = 'src/process/assemble.ts';

function check(url, source) {
  // esbuild marks each module's code in a bundle with a comment of its path.
  if (url.endsWith(`/${APP}`) || String(source ?? '').includes(`\n// ${APP}\n`))
    throw new Error(`the app's modules were loaded (${url}) by a start that fails before them`);
}

if (module.registerHooks) {
  // Node 22.15 and later: in this thread, at no start-up cost.
  module.registerHooks({
    load(url, context, nextLoad) {
      const loaded = nextLoad(url, context);
      check(url, loaded.source);
      return loaded;
    },
  });
} else {
  // Node 20 and 22 before 22.15: the same check, in the loader's own thread.
  const hooks = `const APP = ${JSON.stringify(APP)};
const check = ${check};
export async function load(url, context, nextLoad) {
  const loaded = await nextLoad(url, context);
  check(url, loaded.source);
  return loaded;
}`;
  module.register(`data:text/javascript,${encodeURIComponent(hooks)}`);
}
