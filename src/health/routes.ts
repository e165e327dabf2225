// GET / is the readiness check the talk's tests wait on: 200 only when the
// service can serve notes, which means the database answers.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ApiError } from '../notes/schemas.js';

/** Resolves when the database answers; rejects with the driver's error otherwise. */
export type Readiness = () => Promise<void>;

const Status = Type.Object({ app: Type.Literal('notes-service'), status: Type.Literal('up') });

export const healthRoutes: FastifyPluginAsyncTypebox<{ readiness: Readiness }> = async (app, { readiness }) => {
  app.get('/', { schema: { response: { 200: Status, '5xx': ApiError } } }, async () => {
    await readiness(); // a failure goes through the error handler: 503 database_unavailable
    return { app: 'notes-service', status: 'up' } as const;
  });
};
