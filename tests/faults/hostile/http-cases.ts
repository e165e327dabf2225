// Hostile HTTP around the body: ids and cursors, paths, query strings and
// headers, methods, lying framing, and clients too slow to finish.
import { type Case, CRLF, get, json, request } from './requests.js';

export function httpCases({
  headersTimeoutMs,
  requestTimeoutMs,
}: {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}): Case[] {
  return [
    // ids
    ...(['0', '-1', '1e3', '0x10', 'abc', '1.5', '%20', '1%00', '+1', '01'].map((id) => [
      `the id ${id}`,
      [get(`/notes/${id}/`)],
      400,
      'invalid_request',
    ]) as Case[]),
    ['the id 9223372036854775808', [get('/notes/9223372036854775808/')], 404, 'not_found'],
    ['the id 9223372036854775807', [get('/notes/9223372036854775807/')], 404, 'not_found'],
    ['an id of 200 digits', [get(`/notes/${'9'.repeat(200)}/`)], 414, 'uri_too_long'],
    ['a malformed percent-encoding', [get('/notes/%ZZ/')], 400, 'invalid_url'],
    // paths, query strings, headers
    ['a very long unknown path', [get(`/${'a'.repeat(8_000)}`)], 404, 'not_found'],
    ['a path beyond the header limit', [get(`/${'a'.repeat(20_000)}`)], 431, 'headers_too_large'],
    ['a very long query string', [get(`/notes/9223372036854775807/?${'x='.repeat(3_000)}`)], 404, 'not_found'],
    ['limit=0', [get('/notes/?limit=0')], 400, 'invalid_request'],
    ['limit=1001', [get('/notes/?limit=1001')], 400, 'invalid_request'],
    ['limit twice', [get('/notes/?limit=1&limit=2')], 400, 'invalid_request'],
    ['after=-5', [get('/notes/?after=-5')], 400, 'invalid_request'],
    ['after one past bigint', [get('/notes/?after=9223372036854775808')], 400, 'invalid_request'],
    ['after=9999999999999999999', [get('/notes/?after=9999999999999999999')], 400, 'invalid_request'],
    ['after one past the last note id', [get('/notes/?after=9007199254740992')], 400, 'invalid_request'],
    ['after at the last note id', [get('/notes/?after=9007199254740991')], 200, null],
    [
      'an Idempotency-Key with spaces',
      [json('{"contents":"x"}', { 'Idempotency-Key': 'a b' })],
      400,
      'invalid_request',
    ],
    [
      'a header line without a colon',
      [`GET / HTTP/1.1${CRLF}Host: test${CRLF}garbage${CRLF}${CRLF}`],
      400,
      'bad_request',
    ],
    ['no Host header', [`GET / HTTP/1.1${CRLF}Connection: close${CRLF}${CRLF}`], 400, 'bad_request'],
    ['an HTTP/1.0 request', [`GET / HTTP/1.0${CRLF}${CRLF}`], 200, null],
    [
      'a request line saying HTTP/2.0',
      [`GET / HTTP/2.0${CRLF}Host: t${CRLF}${CRLF}`],
      505,
      'http_version_not_supported',
    ],
    [
      'a request line saying HTTP/0.9',
      [`GET / HTTP/0.9${CRLF}Host: t${CRLF}${CRLF}`],
      505,
      'http_version_not_supported',
    ],
    [
      'an Expect other than 100-continue',
      [json('{"contents":"x"}', { Expect: 'something-else' })],
      417,
      'expectation_failed',
    ],
    [
      'a gzip Content-Encoding',
      [json('{"contents":"x"}', { 'Content-Encoding': 'gzip' })],
      415,
      'unsupported_content_encoding',
    ],
    ['Content-Encoding: identity', [json('{"contents":"x"}', { 'Content-Encoding': 'identity' })], 201, null],
    ['a NUL in a docs file name', [get('/docs/static/a%00b')], 403, 'forbidden'],
    ['a garbage request line', [`HELLO THERE${CRLF}${CRLF}`], 400, 'bad_request'],
    ['a header over the size limit', [get('/', { 'X-Big': 'x'.repeat(20_000) })], 431, 'headers_too_large'],
    // methods
    [
      'PUT /notes/',
      [request('PUT', '/notes/', { body: '{}', headers: { 'Content-Type': 'application/json' } })],
      405,
      'method_not_allowed',
    ],
    ['DELETE /notes/ (the collection)', [request('DELETE', '/notes/')], 405, 'method_not_allowed'],
    ['DELETE /notes/abc/', [request('DELETE', '/notes/abc/')], 400, 'invalid_request'],
    ['DELETE /notes/-1/', [request('DELETE', '/notes/-1/')], 400, 'invalid_request'],
    [
      'DELETE with a malformed JSON body',
      [request('DELETE', '/notes/999999999/', { body: '{"x":', headers: { 'Content-Type': 'application/json' } })],
      400,
      'invalid_json',
    ],
    ['DELETE of a note that never was', [request('DELETE', '/notes/999999999999/')], 404, 'not_found'],
    ['GET /notes/?category= twice', [get('/notes/?category=a&category=b')], 400, 'invalid_request'],
    ['GET /notes/?category=%00', [get('/notes/?category=%00')], 400, 'invalid_request'],
    [`GET /notes/?category= over its bound`, [get(`/notes/?category=${'k'.repeat(101)}`)], 400, 'invalid_request'],
    [
      'PATCH /notes/1/',
      [request('PATCH', '/notes/1/', { body: '{}', headers: { 'Content-Type': 'application/json' } })],
      405,
      'method_not_allowed',
    ],
    ['an unknown method', [request('BREW', '/notes/')], 400, 'bad_request'],
    ['HEAD /notes/', [request('HEAD', '/notes/')], 200, null],
    ['OPTIONS /notes/', [request('OPTIONS', '/notes/')], 204, null],
    // lying framing
    [
      'a Content-Length larger than the body (then silence)',
      [
        `POST /notes/ HTTP/1.1${CRLF}Host: t${CRLF}Content-Type: application/json${CRLF}Content-Length: 100${CRLF}${CRLF}{"contents":"x"}`,
      ],
      408,
      'request_timeout',
    ],
    [
      'a Content-Length smaller than the body',
      [
        `POST /notes/ HTTP/1.1${CRLF}Host: t${CRLF}Connection: close${CRLF}Content-Type: application/json${CRLF}Content-Length: 5${CRLF}${CRLF}{"contents":"x"}`,
      ],
      400,
      'bad_request',
    ],
    [
      'a non-numeric Content-Length',
      [`POST /notes/ HTTP/1.1${CRLF}Host: t${CRLF}Content-Length: ten${CRLF}${CRLF}`],
      400,
      'bad_request',
    ],
    [
      'two different Content-Lengths',
      [`POST /notes/ HTTP/1.1${CRLF}Host: t${CRLF}Content-Length: 1${CRLF}Content-Length: 2${CRLF}${CRLF}xx`],
      400,
      'bad_request',
    ],
    [
      'Content-Length and Transfer-Encoding together',
      [
        `POST /notes/ HTTP/1.1${CRLF}Host: t${CRLF}Content-Length: 3${CRLF}Transfer-Encoding: chunked${CRLF}${CRLF}0${CRLF}${CRLF}`,
      ],
      400,
      'bad_request',
    ],
    [
      'a broken chunk size',
      [
        `POST /notes/ HTTP/1.1${CRLF}Host: t${CRLF}Content-Type: application/json${CRLF}Transfer-Encoding: chunked${CRLF}${CRLF}zz${CRLF}{}${CRLF}0${CRLF}${CRLF}`,
      ],
      400,
      'bad_request',
    ],
    [
      'a well-formed chunked body',
      [
        `POST /notes/ HTTP/1.1${CRLF}Host: t${CRLF}Connection: close${CRLF}Content-Type: application/json${CRLF}Transfer-Encoding: chunked${CRLF}${CRLF}10${CRLF}{"contents":"x"}${CRLF}0${CRLF}${CRLF}`,
      ],
      201,
      null,
    ],
    // slow clients
    [
      'headers that never finish',
      [`GET / HTTP/1.1${CRLF}Host: t${CRLF}`, 'X-Slow: 1'],
      408,
      'request_timeout',
      headersTimeoutMs * 3,
    ],
    [
      'a body that never finishes',
      [
        `POST /notes/ HTTP/1.1${CRLF}Host: t${CRLF}Content-Type: application/json${CRLF}Content-Length: 20${CRLF}${CRLF}{"con`,
        'tents',
      ],
      408,
      'request_timeout',
      requestTimeoutMs * 2,
    ],
  ];
}
