// The schema compilers of every app this process builds: Fastify's own
// (@fastify/ajv-compiler, @fastify/fast-json-stringify-compiler), but shared, and
// remembering what they compiled. Compiling a route's schemas is most of what
// building an app costs (~20 ms of code generation); an app built again with the
// same schemas (each test of the unit tier, each reload of npm run dev) reuses
// the functions instead. Compiled functions keep no state between requests. The
// validators share one Ajv instance per set of options, made with the options'
// keywords once (tests/unit/http/validation.test.ts checks those on an Ajv of its own).
import AjvCompiler from '@fastify/ajv-compiler';
import SerializerSelector from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

type Factory = (externalSchemas: unknown, options: unknown) => (route: { schema: object }) => unknown;

/** `factory`, its compile remembered by everything that decides its output: the schemas and the options. */
function remembering(factory: Factory): Factory {
  const compiled = new Map<string, unknown>();
  return (externalSchemas, options) => {
    const compile = factory(externalSchemas, options);
    const context = JSON.stringify([externalSchemas, options]);
    return (route) => {
      const key = context + JSON.stringify(route.schema);
      if (!compiled.has(key)) compiled.set(key, compile(route));
      return compiled.get(key);
    };
  };
}

export const SCHEMA_COMPILERS = {
  compilersFactory: {
    buildValidator: remembering(AjvCompiler() as Factory),
    buildSerializer: remembering(SerializerSelector() as Factory),
  },
} as unknown as NonNullable<FastifyServerOptions['schemaController']>;
