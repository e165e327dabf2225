// Methods a path doesn't serve: 405 with Allow (OPTIONS: 204 with Allow), instead of
// the 404 a router gives for "no route for this method". Routes are collected as
// they are added; register this plugin after them.
import type { HTTPMethods } from 'fastify';
import type { App } from './app-instance.js';
import { sendError } from './errors.js';
import { scoped } from './scoped.js';

const CHECKED: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** Starts collecting routes; returns the plugin that answers the other methods. */
export function collectRoutes(app: App) {
  const methodsByUrl = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    const methods = methodsByUrl.get(route.url) ?? new Set<string>();
    for (const method of [route.method].flat()) methods.add(method);
    methodsByUrl.set(route.url, methods);
  });

  return scoped('other-methods', async (scope: App) => {
    for (const [url, served] of [...methodsByUrl]) {
      const missing = CHECKED.filter((method) => !served.has(method));
      const allow = CHECKED.filter((method) => served.has(method) || method === 'OPTIONS').join(', ');
      if (missing.length === 0) continue;
      scope.route({
        method: missing,
        url,
        schema: { hide: true },
        handler: async (request, reply) => {
          reply.header('allow', allow);
          if (request.method === 'OPTIONS') return reply.code(204).send();
          return sendError(
            reply,
            405,
            'method_not_allowed',
            `${request.method} is not allowed here; allowed: ${allow}`,
          );
        },
      });
    }
  });
}
