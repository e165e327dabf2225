// buildApp(deps): the Fastify instance with every option, plugin and route the
// service runs with, serving the features it is handed. It never listens, so
// tests inject into the same app that production serves.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../config.js';
import { createLogger } from '../logger.js';
import type { App } from './app-instance.js';
import { requireBearerToken } from './auth.js';
import { SCHEMA_COMPILERS } from './compilers.js';
import { apiErrorSchema, handleClientError, handleError, handleNotFound, KIT_ERRORS } from './errors.js';
import type { Feature } from './feature.js';
import { healthRoutes, type Readiness } from './health.js';
import { parseJsonStrictly } from './json-body.js';
import { lingerOnEarlyClose } from './lingering-close.js';
import { admitRequests } from './load-shedding.js';
import { collectRoutes } from './methods.js';
import { observeAdmission, observeRequests, serveMetrics } from './metrics.js';
import { openApiOptions, openApiRoute } from './openapi.js';
import { enforceHttpRules } from './protocol.js';
import { logRequests, RequestLogController, requestId } from './request-log.js';
import { scoped } from './scoped.js';
import { AJV_OPTIONS } from './validation.js';

export interface AppDeps {
  config: Pick<
    Config,
    | 'logLevel'
    | 'bodyLimitBytes'
    | 'requestTimeoutMs'
    | 'headersTimeoutMs'
    | 'keepAliveTimeoutMs'
    | 'lingeringCloseMs'
    | 'apiToken'
    | 'stackId'
    | 'shedding'
  >;
  /** What the app serves beside the kit's own routes (health, OpenAPI, metrics). */
  features: readonly Feature[];
  readiness: Readiness;
  /** True while the service drains before it stops: readiness answers 503, answers close their connection. */
  draining?: () => boolean;
  /** The process's logger; without one the app logs at config.logLevel to stdout. */
  logger?: Logger;
  /** When given, requests are measured and GET /metrics serves this registry. */
  metrics?: Registry;
}

export function buildApp({ config, features, readiness, draining = () => false, logger, metrics }: AppDeps): App {
  const app = Fastify({
    // A child, so that the service can quiet the app's own lines (listen) without quieting the process.
    loggerInstance: (logger ?? createLogger(config.logLevel)).child({}),
    // One line per request instead, from logRequests.
    logController: new RequestLogController(),
    requestIdHeader: false,
    genReqId: requestId,
    bodyLimit: config.bodyLimitBytes,
    // Slow clients can't hold connections: whole request, headers, idle keep-alive.
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    http: {
      headersTimeout: config.headersTimeoutMs,
      // Node enforces both timeouts only when it checks, every 30 s by default; how
      // much finer than the shorter timeout is tuning, not behaviour.
      // Stryker disable next-line all
      connectionsCheckingInterval: Math.max(50, Math.min(config.headersTimeoutMs, 1_000) / 2),
      // Node would answer a missing Host itself, outside our error shape: see the hook below.
      requireHostHeader: false,
    },
    clientErrorHandler: handleClientError,
    // admitRequests answers requests that arrive while closing, in the error shape.
    return503OnClosing: false,
    // Bad percent-encoding and over-long ids, which the router rejects before any route.
    frameworkErrors: handleError,
    routerOptions: { ignoreTrailingSlash: true },
    ajv: AJV_OPTIONS,
    schemaController: SCHEMA_COMPILERS,
  }).withTypeProvider<TypeBoxTypeProvider>();

  // JSON is the only body we accept: anything else is a 415, not a string to validate.
  app.removeContentTypeParser('text/plain');
  parseJsonStrictly(app);
  lingerOnEarlyClose(app, config.lingeringCloseMs);
  app.setErrorHandler(handleError);
  logRequests(app);
  enforceHttpRules(app);
  admitRequests(app, config.shedding, draining, metrics ? observeAdmission(metrics) : {});
  app.setNotFoundHandler(handleNotFound);
  const codes = new Set([KIT_ERRORS, ...features.map((feature) => feature.errors)].flatMap(Object.keys));
  app.addSchema(apiErrorSchema([...codes]));
  const otherMethods = collectRoutes(app);
  app.register(swagger, openApiOptions); // at the root and before the routes, so that it sees them all
  app.register(openApiRoute);
  app.register(swaggerUi, { routePrefix: '/docs' }); // the UI's files come from the package: no CDN
  app.register(healthRoutes, { readiness, draining, stack: config.stackId });
  for (const feature of features) {
    app.register(
      scoped('feature', async (scope: FastifyInstance) => {
        if (config.apiToken) requireBearerToken(scope, config.apiToken);
        await feature.register(scope);
      }),
    );
  }
  if (metrics) {
    observeRequests(app, metrics);
    app.register(
      scoped('metrics', async (metricsScope: FastifyInstance) => {
        if (config.apiToken) requireBearerToken(metricsScope, config.apiToken);
        serveMetrics(metricsScope, metrics);
      }),
    );
  } else {
    // A scrape of a service with metrics off names the setting, not just "no route".
    app.get('/metrics', { schema: { hide: true } }, (request, reply) =>
      handleNotFound(request, reply, 'metrics are off, METRICS_ENABLED=true serves them'),
    );
  }
  app.register(otherMethods);
  return app;
}
