// A plugin of the app's own, named and still encapsulated (fastify-plugin with
// `encapsulate: true`): for a plugin without a name, Fastify searches every module
// loaded (require.cache) for one that exports it, twice per registration, which
// was a twentieth of building an app in a test worker with a thousand modules loaded.
import fp from 'fastify-plugin';

export function scoped<Plugin>(name: string, plugin: Plugin): Plugin {
  return fp(plugin as Parameters<typeof fp>[0], { name, encapsulate: true }) as Plugin;
}
