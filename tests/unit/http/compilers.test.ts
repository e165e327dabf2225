// The shared schema compilers (src/http/compilers.ts): a schema compiled once is
// the same function for every app after, and another schema is compiled anew.
import { describe, expect, it } from 'vitest';
import { SCHEMA_COMPILERS } from '../../../src/http/compilers.js';

type Build = (externals: unknown, options: unknown) => (route: { schema: object }) => unknown;
const { buildValidator, buildSerializer } = SCHEMA_COMPILERS.compilersFactory as unknown as Record<string, Build>;
const ajvOptions = { customOptions: {} };

describe('the shared compilers', () => {
  it('return the same validator for the same schema, in a later app too', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    const first = buildValidator?.({}, ajvOptions)({ schema });
    const again = buildValidator?.({}, ajvOptions)({ schema: structuredClone(schema) });
    expect(again).toBe(first);
  });

  it('compile another schema anew, and the same one anew under other external schemas', () => {
    const schema = { type: 'object', properties: { b: { type: 'string', minLength: 2 } } };
    const first = buildValidator?.({}, ajvOptions)({ schema }) as (data: unknown) => boolean;
    const other = buildValidator?.({}, ajvOptions)({ schema: { ...schema, required: ['b'] } }) as (
      data: unknown,
    ) => boolean;
    expect(other).not.toBe(first);
    expect([first({}), other({})]).toEqual([true, false]);
    const elsewhere = buildValidator?.({ Shared: { $id: 'Shared', type: 'string' } }, ajvOptions)({ schema });
    expect(elsewhere).not.toBe(first);
  });

  it('return the same serializer for the same response schema', () => {
    const schema = { type: 'object', properties: { id: { type: 'integer' } } };
    const first = buildSerializer?.({}, {})({ schema }) as (data: unknown) => string;
    expect(buildSerializer?.({}, {})({ schema: structuredClone(schema) })).toBe(first);
    expect(first({ id: 7, secret: 'x' })).toBe('{"id":7}');
  });
});
