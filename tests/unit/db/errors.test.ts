import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { DatabaseUnavailableError } from '../../../src/database-unavailable.js';
import { isDatabaseUnavailable } from '../../../src/db/errors.js';

const withCode = (code: string) => Object.assign(new Error(code), { code });

describe('isDatabaseUnavailable', () => {
  it.each(['ECONNREFUSED', 'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'ECONNRESET'])(
    'counts %s as unavailable',
    (code) => {
      expect(isDatabaseUnavailable(withCode(code))).toBe(true);
    },
  );

  it('counts the driver’s own query_canceled, raised for a statement cancelled before it was sent', () => {
    // postgres.js's Errors.generic: an Error with the SQLSTATE as its code, not a PostgresError.
    expect(isDatabaseUnavailable(withCode('57014'))).toBe(true);
    expect(isDatabaseUnavailable(withCode('42P01'))).toBe(false);
  });

  it('counts our own DatabaseUnavailableError', () => {
    expect(isDatabaseUnavailable(new DatabaseUnavailableError('down'))).toBe(true);
  });

  it.each([
    ['57P01', true], // admin_shutdown
    ['57P03', true], // cannot_connect_now: starting up
    ['08006', true], // connection_failure
    ['53300', true], // too_many_connections
    ['42P01', false], // undefined_table: a bug, not an outage
    ['28P01', false], // wrong password: retrying won't help
  ])('reads SQLSTATE %s as unavailable: %s', (code, expected) => {
    const error = Object.assign(Object.create(postgres.PostgresError.prototype), { code });
    expect(isDatabaseUnavailable(error)).toBe(expected);
  });

  it('does not count an ordinary error', () => {
    expect(isDatabaseUnavailable(new Error('boom'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});
