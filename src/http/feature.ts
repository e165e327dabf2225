// What the HTTP kit asks of a feature: a plugin that registers its routes, and
// the error codes of its own that they answer with, beside the kit's. buildApp
// serves every feature the composition root hands it (behind the bearer token
// when API_TOKEN is set) and names none.
import type { FastifyInstance } from 'fastify';

export interface Feature {
  /** Registers the feature's routes (and their error handler, if any) on a scope of the app. */
  register(scope: FastifyInstance): Promise<void>;
  /** Its own error codes and their status: with the kit's, the enum of the ApiError schema. */
  errors: Readonly<Record<string, number>>;
}
