// One map from failure to HTTP: every error answer is { error, message } with the
// right status. Known failures are matched by type or code, never by message text;
// anything else is logged with the request id and answered as a bare 500.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable } from './db/errors.js';
import type { ApiError } from './notes/schemas.js';

/** Seconds a client should wait before retrying while the database is away. */
const RETRY_AFTER_SECONDS = 1;

const CODES_BY_FASTIFY_ERROR: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_content_length',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_BAD_URL: 'invalid_url',
};

export function notFound(reply: FastifyReply, message: string): FastifyReply {
  return sendError(reply, 404, 'not_found', message);
}

export function handleNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return notFound(reply, `no route for ${request.method} ${request.url.split('?')[0]}`);
}

export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error.validation) {
    return sendError(reply, 400, 'invalid_request', error.message);
  }
  if (isDatabaseUnavailable(error)) {
    request.log.warn({ err: error }, 'database unavailable');
    reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    return sendError(reply, 503, 'database_unavailable', 'the database is unavailable; retry shortly');
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // Fastify's own 4xx errors (body parsing, content type, size) carry safe messages.
    const code = CODES_BY_FASTIFY_ERROR[error.code] ?? (error instanceof SyntaxError ? 'invalid_json' : 'bad_request');
    return sendError(reply, status, code, error.message);
  }
  request.log.error({ err: error }, 'unhandled error');
  return sendError(reply, 500, 'internal_error', 'internal server error');
}

export function sendError(reply: FastifyReply, status: number, error: string, message: string): FastifyReply {
  return reply.code(status).send({ error, message } satisfies ApiError);
}
