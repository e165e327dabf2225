// Hostile bodies for POST /notes/: JSON that is malformed or of the wrong shape,
// prototype tricks, sizes and characters at and past the limits, content types.
import { bytes, type Case, deep, json, request } from './requests.js';

export const bodyCases: Case[] = [
  // malformed and truncated JSON
  ['truncated object', [json('{"contents":"x"')], 400, 'invalid_json'],
  ['truncated string', [json('{"contents":"x')], 400, 'invalid_json'],
  ['a lone brace', [json('{')], 400, 'invalid_json'],
  ['trailing comma', [json('{"contents":"x",}')], 400, 'invalid_json'],
  ['single quotes', [json("{'contents':'x'}")], 400, 'invalid_json'],
  ['unquoted key', [json('{contents:"x"}')], 400, 'invalid_json'],
  ['NaN', [json('{"contents":NaN}')], 400, 'invalid_json'],
  ['a comment', [json('{"contents":"x"/* hi */}')], 400, 'invalid_json'],
  ['two objects', [json('{"contents":"a"}{"contents":"b"}')], 400, 'invalid_json'],
  ['an empty body', [json('')], 400, 'invalid_json'],
  ['only whitespace', [json('   \n ')], 400, 'invalid_json'],
  // not an object, wrong types
  ['an array', [json('[{"contents":"x"}]')], 400, 'invalid_request'],
  ['null', [json('null')], 400, 'invalid_request'],
  ['true', [json('true')], 400, 'invalid_request'],
  ['a number', [json('42')], 400, 'invalid_request'],
  ['a string', [json('"contents"')], 400, 'invalid_request'],
  ['contents: null', [json('{"contents":null}')], 400, 'invalid_request'],
  ['contents: a number', [json('{"contents":42}')], 400, 'invalid_request'],
  ['contents: a boolean', [json('{"contents":false}')], 400, 'invalid_request'],
  ['contents: an array', [json('{"contents":["x"]}')], 400, 'invalid_request'],
  ['contents: an object', [json('{"contents":{"x":1}}')], 400, 'invalid_request'],
  ['no contents', [json('{"content":"x"}')], 400, 'invalid_request'],
  // prototype tricks, nesting, duplicate keys
  ['a __proto__ key', [json('{"__proto__":{"admin":true},"contents":"x"}')], 400, 'invalid_json'],
  ['a nested __proto__ key', [json('{"contents":"x","a":{"__proto__":{"b":1}}}')], 400, 'invalid_json'],
  ['constructor.prototype', [json('{"constructor":{"prototype":{"x":1}},"contents":"x"}')], 400, 'invalid_json'],
  ['deeply nested JSON', [json(deep(50_000))], 201, null],
  ['duplicate keys: the last wins', [json('{"contents":"first","contents":"second"}')], 201, null],
  // sizes and characters
  ['empty contents', [json('{"contents":""}')], 400, 'invalid_request'],
  [
    'contents one over NOTE_MAX_LENGTH',
    [json(JSON.stringify({ contents: 'x'.repeat(100_001) }))],
    400,
    'invalid_request',
  ],
  ['contents of exactly NOTE_MAX_LENGTH', [json(JSON.stringify({ contents: 'x'.repeat(100_000) }))], 201, null],
  ['a NUL character', [json('{"contents":"a\\u0000b"}')], 400, 'invalid_request'],
  ['a raw NUL byte in the JSON', [json(bytes('{"contents":"a', [0], 'b"}'))], 400, 'invalid_json'],
  ['a lone high surrogate', [json('{"contents":"a\\ud800"}')], 400, 'invalid_request'],
  ['a lone low surrogate', [json('{"contents":"\\udc00a"}')], 400, 'invalid_request'],
  ['a valid surrogate pair', [json('{"contents":"\\ud83d\\ude00"}')], 201, null],
  // NOTE_MAX_LENGTH counts UTF-16 code units: an emoji is 2
  [
    '50 000 emoji: exactly NOTE_MAX_LENGTH code units',
    [json(JSON.stringify({ contents: '😀'.repeat(50_000) }))],
    201,
    null,
  ],
  [
    '50 000 emoji and a letter: one unit over',
    [json(JSON.stringify({ contents: `${'😀'.repeat(50_000)}a` }))],
    400,
    'invalid_request',
  ],
  [
    '100 000 emoji: the limit in code points, twice it in units',
    [json(JSON.stringify({ contents: '😀'.repeat(100_000) }))],
    400,
    'invalid_request',
  ],
  [
    '50 000 escaped emoji (12 bytes each in the JSON), within BODY_LIMIT_BYTES',
    [json(`{"contents":"${'\\ud83d\\ude00'.repeat(50_000)}"}`)],
    201,
    null,
  ],
  ['invalid UTF-8 bytes', [json(bytes('{"contents":"a', [0xff, 0xfe], '"}'))], 400, 'invalid_utf8'],
  ['an overlong UTF-8 encoding', [json(bytes('{"contents":"', [0xc0, 0xaf], '"}'))], 400, 'invalid_utf8'],
  ['a truncated UTF-8 sequence', [json(bytes('{"contents":"', [0xe2, 0x82], '"}'))], 400, 'invalid_utf8'],
  // Kept alive: the server then discards the unread body instead of closing on it (which resets the connection).
  [
    'a body over BODY_LIMIT_BYTES',
    [
      request('POST', '/notes/', {
        body: JSON.stringify({ contents: 'x'.repeat(1_100_000) }),
        headers: { 'Content-Type': 'application/json' },
        close: false,
      }),
    ],
    413,
    'payload_too_large',
  ],
  // content types
  ['text/plain', [json('{"contents":"x"}', { 'Content-Type': 'text/plain' })], 415, 'unsupported_media_type'],
  [
    'a form',
    [
      request('POST', '/notes/', {
        body: 'contents=x',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      }),
    ],
    415,
    'unsupported_media_type',
  ],
  ['XML', [json('<contents>x</contents>', { 'Content-Type': 'application/xml' })], 415, 'unsupported_media_type'],
  [
    'no Content-Type with a body',
    [request('POST', '/notes/', { body: '{"contents":"x"}' })],
    415,
    'unsupported_media_type',
  ],
  ['JSON with a charset', [json('{"contents":"x"}', { 'Content-Type': 'application/json; charset=utf-8' })], 201, null],
];
