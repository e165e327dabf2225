// How schemas validate requests: Ajv's options for every route, shared by
// buildApp and the benchmark's Fastify layer so both validate alike.
import ajvErrors from 'ajv-errors';
import type { FastifyServerOptions } from 'fastify';

/**
 * No coercion: {"contents": 42} is a client error, not the note "42". allErrors
 * is what ajv-errors needs to attach our messages. maxLength counts UTF-16 code
 * units (JavaScript's .length), as NOTE_MAX_LENGTH is documented and the
 * body-limit arithmetic assumes; Ajv counts code points, and its `unicode: false`
 * option for this is deprecated (and says so on stderr).
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
