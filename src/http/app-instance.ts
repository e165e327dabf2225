// The type of the Fastify instance buildApp makes (a pino logger, the TypeBox
// type provider): what every HTTP module is written against. In a module of its
// own so that the plugins can name it without importing app.ts, which imports them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, RawServerDefault } from 'fastify';
import type { Logger } from 'pino';

export type App = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger, TypeBoxTypeProvider>;
