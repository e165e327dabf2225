// GET / is the readiness check the tests and stacks wait on: 200 only when the
// service can serve its features, which means the database answers. /health/live and
// /health/ready are the same split for orchestrators. While the service drains
// before it stops (SHUTDOWN_DRAIN_MS), readiness answers 503 so that load
// balancers stop sending, while every other request is still served.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ApiError, sendUnavailable } from './errors.js';
import { NEVER_SHED } from './load-shedding.js';
import { scoped } from './scoped.js';

/** Resolves when the database answers; rejects with the driver's error otherwise. */
export type Readiness = () => Promise<void>;

const Status = Type.Object({
  app: Type.Literal('notes-service'),
  status: Type.Literal('up'),
  stack: Type.Optional(
    Type.String({ description: 'The stack this instance belongs to (STACK_ID), when it was started as one' }),
  ),
});
const Probe = Type.Object({ status: Type.String() });
/** Open whatever API_TOKEN says: orchestrators and load balancers probe without a token. */
const OPEN: Array<Record<string, string[]>> = [];
const errors = { '4xx': ApiError, '5xx': ApiError };

export interface HealthOptions {
  readiness: Readiness;
  /** True from SIGTERM until the listener closes. */
  draining: () => boolean;
  /** STACK_ID: which stack answers, so that a test run can tell its stack from a stranger on the port. */
  stack?: string | undefined;
}

const DRAINING = 'the service is draining before it stops; send to another instance';

export const healthRoutes = scoped<FastifyPluginAsyncTypebox<HealthOptions>>(
  'health-routes',
  async (app, { readiness, draining, stack }) => {
    const ready = {
      security: OPEN,
      tags: ['health'],
    };
    app.get(
      '/',
      {
        schema: {
          ...ready,
          operationId: 'getStatus',
          summary: 'Readiness, as the tests wait on it',
          description: '200 while the database answers; 503 while it does not or the service drains before it stops.',
          response: { 200: Status, ...errors },
        },
      },
      async (_request, reply) => {
        if (draining()) return sendUnavailable(reply, 'shutting_down', DRAINING);
        await readiness(); // a failure goes through the error handler: 503 database_unavailable
        return { app: 'notes-service', status: 'up', ...(stack === undefined ? {} : { stack }) } as const;
      },
    );

    // Liveness: the process answers. Never touches the database, so an outage
    // doesn't get the service restarted by an orchestrator.
    app.get(
      '/health/live',
      {
        schema: {
          ...ready,
          operationId: 'getLiveness',
          summary: 'Liveness: the process answers',
          description:
            'Never touches the database and is never shed, so an outage or overload does not get the process restarted.',
          response: { 200: Probe, ...errors },
        },
        config: NEVER_SHED,
      },
      async () => ({ status: 'live' }),
    );

    // Readiness: the database answers (the same check as GET /).
    app.get(
      '/health/ready',
      {
        schema: {
          ...ready,
          operationId: 'getReadiness',
          summary: 'Readiness, for orchestrators and load balancers',
          description: 'The same check as GET /: 200 while the database answers, 503 otherwise and while draining.',
          response: { 200: Probe, ...errors },
        },
      },
      async (_request, reply) => {
        if (draining()) return sendUnavailable(reply, 'shutting_down', DRAINING);
        await readiness();
        return { status: 'ready' };
      },
    );
  },
);
