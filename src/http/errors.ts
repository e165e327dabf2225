// The one error shape, { error, message }, and the one map from failure to HTTP
// status. Known failures are matched by type or code, never by message text;
// anything else is logged with the request id and answered as a bare 500.
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { DatabaseUnavailableError } from '../database-unavailable.js';
import { InvalidBodyError } from './json-body.js';

/**
 * Every `error` code the HTTP kit answers with, on any route, and its status. A
 * feature adds its own (buildApp's `errorCodes`); together they are the enum of
 * the ApiError schema, and the docs' tables are checked against them.
 */
export const KIT_ERRORS = {
  invalid_json: 400,
  invalid_utf8: 400,
  invalid_request: 400,
  invalid_url: 400,
  invalid_content_length: 400,
  bad_request: 400,
  request_aborted: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  precondition_failed: 412,
  payload_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  unsupported_content_encoding: 415,
  range_not_satisfiable: 416,
  expectation_failed: 417,
  headers_too_large: 431,
  internal_error: 500,
  database_unavailable: 503,
  overloaded: 503,
  shutting_down: 503,
  http_version_not_supported: 505,
} as const satisfies Record<string, number>;
export type KitErrorCode = keyof typeof KIT_ERRORS;

/** The shape of every 4xx and 5xx answer, as routes declare it: a reference to the ApiError schema. */
export const ApiError = Type.Ref('ApiError');
export type ApiError = { error: string; message: string };

/**
 * The ApiError schema, added to the app once (components.schemas.ApiError in the
 * OpenAPI document): `error` is one of `codes`.
 */
export function apiErrorSchema(codes: readonly string[]) {
  return Type.Object(
    {
      error: Type.String({ enum: [...codes], description: 'Stable machine-readable code' }),
      message: Type.String({ description: 'Human-readable explanation' }),
    },
    { $id: 'ApiError', title: 'ApiError', description: 'The one shape of every 4xx and 5xx answer' },
  );
}

/** Seconds a client should wait before retrying a 503 (database away, overload, shutdown). */
export const RETRY_AFTER_SECONDS = 1;

const CODES_BY_FASTIFY_ERROR: Record<string, KitErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_content_length',
  FST_ERR_BAD_URL: 'invalid_url',
  FST_ERR_MAX_PARAM_LENGTH: 'uri_too_long',
};

export function notFound(reply: FastifyReply, message: string): FastifyReply {
  return sendError(reply, 404, 'not_found', message);
}

/** 404 for a path no route serves; `hint` (why, and how to have it served) follows the path. */
export function handleNotFound(request: FastifyRequest, reply: FastifyReply, hint?: string): FastifyReply {
  const path = `${request.method} ${request.url.split('?')[0]}`;
  return notFound(reply, `no route for ${path}${hint ? `: ${hint}` : ''}`);
}

export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error.validation) {
    return sendError(reply, 400, 'invalid_request', error.message);
  }
  if (error instanceof InvalidBodyError) {
    return sendError(reply, error.statusCode, error.code, error.message);
  }
  if (request.raw.readableAborted) {
    // The client hung up while sending its body (its ECONNRESET is no database's):
    // nobody will read an answer, and it is no alert.
    request.log.info({ cause: error.message }, 'request: the client closed the connection before its body arrived');
    return sendError(reply, 400, 'request_aborted', 'the client closed the connection');
  }
  if (error instanceof DatabaseUnavailableError) {
    request.log.warn({ err: error }, 'database unavailable');
    return sendUnavailable(reply, 'database_unavailable', 'the database is unavailable; retry shortly');
  }
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    const sent = (request.headers['content-type'] ?? 'no Content-Type').slice(0, 100);
    return sendError(reply, 415, 'unsupported_media_type', `the body must be application/json, got ${sent}`);
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // Fastify's own 4xx errors (body parsing, content type, size) carry safe messages.
    const code = CODES_BY_FASTIFY_ERROR[error.code] ?? codeOfStatus(status);
    return sendError(reply, status, code, error.message);
  }
  request.log.error({ err: error }, 'unhandled error');
  return sendError(reply, 500, 'internal_error', 'internal server error');
}

export function sendError(reply: FastifyReply, status: number, error: string, message: string): FastifyReply {
  // Set here too: errors the router raises (frameworkErrors) come before any onRequest hook.
  reply.header('x-content-type-options', 'nosniff');
  return reply.code(status).send({ error, message } satisfies ApiError);
}

/** A 503 that tells the client when to come back: the database away, overload, shutdown. */
export function sendUnavailable(reply: FastifyReply, error: string, message: string): FastifyReply {
  reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  return sendError(reply, 503, error, message);
}

/**
 * The 4xx a plugin answers on its own, by status: the docs page's file server
 * (403, 412, 416). Fastify's own 4xx have their codes by error (above); any other
 * 4xx reads as bad_request.
 */
const CODES_BY_STATUS: Partial<Record<number, KitErrorCode>> = {
  403: 'forbidden',
  412: 'precondition_failed',
  416: 'range_not_satisfiable',
};
const codeOfStatus = (status: number): KitErrorCode => CODES_BY_STATUS[status] ?? 'bad_request';

/** The one error shape as a complete raw response, for answers written outside Fastify. */
export function rawErrorResponse(status: number, code: KitErrorCode, message: string): string {
  const body = JSON.stringify({ error: code, message } satisfies ApiError);
  return [
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
    'Content-Type: application/json; charset=utf-8',
    'X-Content-Type-Options: nosniff',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

const CLIENT_ERRORS: Record<string, [status: number, error: KitErrorCode, message: string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request_timeout', 'the request did not arrive in time'],
  HPE_HEADER_OVERFLOW: [431, 'headers_too_large', 'the request headers are too large'],
};

/**
 * Requests so broken that no route sees them (unparsable HTTP, a lying
 * Content-Length, headers too slow or too large) get the same JSON error shape,
 * written straight to the socket, which is then closed.
 */
export function handleClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] = CLIENT_ERRORS[error.code ?? ''] ?? [400, 'bad_request', 'malformed HTTP request'];
  if (socket.writable) socket.write(rawErrorResponse(status, code, message));
  socket.destroy();
}
