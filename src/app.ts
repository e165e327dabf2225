// buildApp(deps): the Fastify instance with every option, plugin and route the
// service runs with. It never listens, so tests inject into the same app that
// production serves.

import type { IncomingMessage, ServerResponse } from 'node:http';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import ajvErrors from 'ajv-errors';
import Fastify, { type FastifyInstance, type FastifyServerOptions, type RawServerDefault } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from './config.js';
import { openApiOptions, openApiRoute } from './docs/openapi.js';
import { handleClientError, handleError, handleNotFound } from './errors.js';
import { healthRoutes, type Readiness } from './health/routes.js';
import { requireBearerToken } from './http/auth.js';
import { parseJsonStrictly } from './http/json-body.js';
import { lingerOnEarlyClose } from './http/lingering-close.js';
import { admitRequests } from './http/load-shedding.js';
import { collectRoutes } from './http/methods.js';
import { enforceHttpRules } from './http/protocol.js';
import { logRequests, RequestLogController, requestId } from './http/request-log.js';
import { createLogger } from './logger.js';
import { observeAdmission, observeRequests, serveMetrics } from './metrics.js';
import type { NotesRepository } from './notes/repository.js';
import { notesRoutes } from './notes/routes.js';

export interface AppDeps {
  config: Pick<
    Config,
    | 'logLevel'
    | 'noteMaxLength'
    | 'idempotencyKeyTtlMs'
    | 'bodyLimitBytes'
    | 'requestTimeoutMs'
    | 'headersTimeoutMs'
    | 'keepAliveTimeoutMs'
    | 'lingeringCloseMs'
    | 'apiToken'
    | 'shedding'
  >;
  notes: NotesRepository;
  readiness: Readiness;
  /** The process's logger; without one the app logs at config.logLevel to stdout. */
  logger?: Logger;
  /** When given, requests are measured and GET /metrics serves this registry. */
  metrics?: Registry;
}

/**
 * How schemas validate. No coercion: {"contents": 42} is a client error, not the
 * note "42". allErrors is what ajv-errors needs to attach our messages.
 * maxLength counts UTF-16 code units (JavaScript's .length), as NOTE_MAX_LENGTH
 * is documented and the body-limit arithmetic assumes; Ajv counts code points,
 * and its `unicode: false` option for this is deprecated (and says so on stderr).
 */
export const AJV_OPTIONS: FastifyServerOptions['ajv'] = {
  customOptions: { coerceTypes: false, allErrors: true },
  plugins: [
    (ajv) => ajvErrors.default(ajv), // CommonJS module: .default is the plugin at run time too
    (ajv) =>
      ajv.removeKeyword('maxLength').addKeyword({
        keyword: 'maxLength',
        type: 'string',
        schemaType: 'number',
        validate: (max: number, data: string) => data.length <= max,
      }),
  ],
};

export function buildApp({ config, notes, readiness, logger, metrics }: AppDeps): App {
  const app = Fastify({
    loggerInstance: logger ?? createLogger(config.logLevel),
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
      // Node enforces both timeouts only when it checks, every 30 s by default.
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
  }).withTypeProvider<TypeBoxTypeProvider>();

  // JSON is the only body we accept: anything else is a 415, not a string to validate.
  app.removeContentTypeParser('text/plain');
  parseJsonStrictly(app);
  lingerOnEarlyClose(app, config.lingeringCloseMs);
  app.setErrorHandler(handleError);
  logRequests(app);
  enforceHttpRules(app);
  admitRequests(app, config.shedding, metrics ? observeAdmission(metrics) : {});
  app.setNotFoundHandler(handleNotFound);
  const otherMethods = collectRoutes(app);
  app.register(swagger, openApiOptions); // at the root and before the routes, so that it sees them all
  app.register(openApiRoute);
  app.register(swaggerUi, { routePrefix: '/docs' }); // the UI's files come from the package: no CDN
  app.register(healthRoutes, { readiness });
  app.register(async (notesScope) => {
    if (config.apiToken) requireBearerToken(notesScope, config.apiToken);
    await notesScope.register(notesRoutes, {
      notes,
      noteMaxLength: config.noteMaxLength,
      idempotencyKeyTtlMs: config.idempotencyKeyTtlMs,
    });
  });
  if (metrics) {
    observeRequests(app, metrics);
    app.register(async (metricsScope) => {
      if (config.apiToken) requireBearerToken(metricsScope, config.apiToken);
      serveMetrics(metricsScope, metrics);
    });
  }
  app.register(otherMethods);
  return app;
}

/** The app as buildApp makes it: a pino logger and the TypeBox type provider. */
export type App = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger, TypeBoxTypeProvider>;
