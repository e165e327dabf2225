// How schemas validate (src/http/validation.ts), on an Ajv of the test's own made
// with the service's options: every app of a process shares one such Ajv, so a
// fresh one here is where its keywords show. maxLength counts UTF-16 code units,
// nothing is coerced, and ajv-errors' messages replace Ajv's.
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { AJV_OPTIONS } from '../../../src/http/validation.js';

function serviceAjv() {
  const ajv = new Ajv.default({ ...AJV_OPTIONS?.customOptions, strict: false });
  for (const plugin of AJV_OPTIONS?.plugins ?? []) (plugin as (instance: Ajv.default) => void)(ajv);
  return ajv;
}

describe('the service’s validation', () => {
  it('counts maxLength in UTF-16 code units: an emoji is 2', () => {
    const validate = serviceAjv().compile({ type: 'string', maxLength: 2 });
    expect([validate('ab'), validate('😀'), validate('😀a'), validate('abc')]).toEqual([true, true, false, false]);
    expect(serviceAjv().compile({ type: 'string', maxLength: 1 })('😀')).toBe(false);
  });

  it('applies maxLength to strings only, and takes only a number for it', () => {
    const ajv = serviceAjv();
    expect(ajv.compile({ maxLength: 1 })(12_345)).toBe(true);
    expect(ajv.compile({ maxLength: 1 })(['a', 'b', 'c'])).toBe(true);
    expect(() => ajv.compile({ type: 'string', maxLength: 'x' })).toThrow();
  });

  it('coerces nothing: a number is not the string it would print as', () => {
    const validate = serviceAjv().compile({ type: 'object', properties: { contents: { type: 'string' } } });
    expect(validate({ contents: 42 })).toBe(false);
    expect(validate({ contents: '42' })).toBe(true);
  });

  it('reports every error and words them with errorMessage', () => {
    const validate = serviceAjv().compile({
      type: 'object',
      properties: {
        a: { type: 'string', minLength: 2, errorMessage: { minLength: 'a is too short' } },
        b: { type: 'string' },
      },
    });
    expect(validate({ a: 'x', b: 1 })).toBe(false);
    expect(validate.errors?.map((error) => error.message)).toEqual(['a is too short', 'must be string']);
  });
});
