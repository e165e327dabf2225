import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { DatabaseUnavailableError } from '../../../src/database-unavailable.js';
import { isDatabaseUnavailable } from '../../../src/db/errors.js';

const withCode = (code: string) => Object.assign(new Error(code), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    'CONNECT_TIMEOUT',
    'CONNECTION_CLOSED',
    'CONNECTION_ENDED',
    'CONNECTION_DESTROYED',
    'ECONNREFUSED',
    'ECONNRESET',
    'EHOSTUNREACH',
    'ENOTFOUND',
    'EAI_AGAIN',
    'ETIMEDOUT',
    'EPIPE',
  ])('counts %s as unavailable', (code) => {
    expect(isDatabaseUnavailable(withCode(code))).toBe(true);
  });

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
    ['57P02', true], // crash_shutdown
    ['57P03', true], // cannot_connect_now: starting up
    ['57P04', true], // database_dropped
    ['57014', true], // query_canceled: the statement timeout
    ['08006', true], // connection_failure
    ['08000', true], // connection_exception
    ['08P01', true], // protocol_violation
    ['57P05', false], // idle_session_timeout: a session's own, not an outage
    ['57000', false], // operator_intervention in general
    ['22008', false], // datetime_field_overflow: a bug, though it holds "08"
    ['53300', true], // too_many_connections
    ['42P01', false], // undefined_table: a bug, not an outage
    ['28P01', false], // wrong password: retrying won't help
  ])('reads SQLSTATE %s as unavailable: %s', (code, expected) => {
    const error = Object.assign(Object.create(postgres.PostgresError.prototype), { code });
    expect(isDatabaseUnavailable(error)).toBe(expected);
  });

  it('does not count an ordinary error, nor one whose code is no string', () => {
    expect(isDatabaseUnavailable(new Error('boom'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error('odd'), { code: 57014 }))).toBe(false);
  });
});
