// Builders for the hostile requests of tests/faults/hostile-requests.test.ts:
// raw HTTP/1.1 as bytes, since no HTTP client sends most of them.
import { requestHead } from '../../support/raw-http.js';

export const CRLF = '\r\n';
export function request(
  method: string,
  path: string,
  {
    body,
    headers = {},
    close = true,
  }: { body?: string | Buffer; headers?: Record<string, string>; close?: boolean } = {},
): string | Buffer {
  const fixed: Record<string, string> = { Host: 'test' };
  if (close) fixed.Connection = 'close';
  if (body !== undefined) fixed['Content-Length'] = String(Buffer.byteLength(body));
  const head = requestHead(method, path, { ...fixed, ...headers });
  return body === undefined ? head : Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body)]);
}
export const json = (body: string | Buffer, headers: Record<string, string> = {}) =>
  request('POST', '/notes/', { body, headers: { 'Content-Type': 'application/json', ...headers } });
export const get = (path: string, headers: Record<string, string> = {}) => request('GET', path, { headers });
export const deep = (depth: number) => `{"contents":"deep","x":${'['.repeat(depth)}${']'.repeat(depth)}}`;
export const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : Buffer.from(part))));

/** A raw request and its exact answer: the status, and the `error` code when it is an error (null for a 2xx). */
export type Case = [
  name: string,
  parts: Array<string | Buffer>,
  status: number,
  error: string | null,
  pauseMs?: number,
];
