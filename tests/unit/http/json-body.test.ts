// The strict JSON body parser (src/http/json-body.ts): what it refuses, and with
// which code and words.
import { describe, expect, it } from 'vitest';
import { sharedTestApp } from '../../support/test-app.js';

describe('the JSON body parser', () => {
  // One app: the tests look only at each answer, never at what is stored.
  const app = sharedTestApp();
  const post = (payload: string | Buffer) =>
    app().inject({ method: 'POST', url: '/notes/', payload, headers: { 'content-type': 'application/json' } });

  it.each([
    ['invalid bytes', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
    ['an overlong encoding', Buffer.from('{"contents":"\xc0\xaf"}', 'latin1')],
    ['a truncated sequence', Buffer.from('{"contents":"\xe2\x82"}', 'latin1')],
  ])('refuses %s as 400 invalid_utf8 instead of storing U+FFFD', async (_case, body) => {
    const response = await post(body);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'invalid_utf8', message: 'the body is not valid UTF-8' });
  });

  it('takes multi-byte UTF-8 as what it says', async () => {
    const response = await post(Buffer.from('{"contents":"ünï 😀"}', 'utf8'));
    expect(response.statusCode).toBe(201);
    expect(response.json().contents).toBe('ünï 😀');
  });

  it.each(['', '   \n\t '])('refuses the empty body %j as 400 invalid_json, saying it is empty', async (body) => {
    const response = await post(body);
    expect(response.json()).toEqual({ error: 'invalid_json', message: 'the body is empty' });
  });

  it('takes a body with whitespace around the JSON', async () => {
    expect((await post('  {"contents":"padded"}\n')).statusCode).toBe(201);
  });

  it('names what is wrong with malformed JSON', async () => {
    const response = await post('{"contents": ');
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe('invalid_json');
    expect(response.json().message).toMatch(/^the body is not valid JSON: \S/);
  });

  it.each([
    ['a __proto__ key', '{"__proto__": {"admin": true}, "contents": "x"}'],
    ['a nested __proto__ key', '{"contents": "x", "a": {"__proto__": {}}}'],
    ['constructor.prototype', '{"constructor": {"prototype": {"admin": true}}, "contents": "x"}'],
  ])('refuses %s as 400 invalid_json, naming the forbidden property', async (_case, body) => {
    const response = await post(body);
    expect(response.json()).toEqual({
      error: 'invalid_json',
      message: 'the body is not valid JSON: Object contains forbidden prototype property',
    });
  });
});
