// Optional bearer-token protection (API_TOKEN): every route in the scope answers
// 401 without `Authorization: Bearer <token>`. Compared as SHA-256 digests with
// timingSafeEqual, so neither the token's bytes nor its length leak through timing.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { sendError } from './errors.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

export function requireBearerToken(scope: FastifyInstance, token: string): void {
  const expected = digest(token);
  // A callback hook (every request in the scope passes it): a 401 sent here ends the request without done().
  scope.addHook('onRequest', (request, reply, done) => {
    // Stryker disable next-line StringLiteral: any other fallback is no token either, and answers 401 alike
    const presented = /^Bearer (.+)/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
    if (!timingSafeEqual(digest(presented), expected)) {
      reply.header('www-authenticate', 'Bearer realm="notes-service"');
      sendError(reply, 401, 'unauthorized', 'send Authorization: Bearer <API_TOKEN>');
      return;
    }
    done();
  });
}

/** For the OpenAPI document of routes in such a scope: open without API_TOKEN, the bearer token with it. */
export const OPTIONAL_BEARER: Array<Record<string, string[]>> = [{}, { bearerAuth: [] }];
