import { describe, expect, it } from 'vitest';
import { isoTimestamp } from '../../../src/db/timestamps.js';

describe('isoTimestamp', () => {
  it.each([
    ['2026-12-03 18:46:00+00', '2026-12-03T18:46:00.000Z'],
    ['2026-12-03 18:46:00.1+00', '2026-12-03T18:46:00.100Z'],
    ['2026-12-03 18:46:00.12+00', '2026-12-03T18:46:00.120Z'],
    ['2026-12-03 18:46:00.123+00', '2026-12-03T18:46:00.123Z'],
    ['2026-12-03 18:46:00.1234+00', '2026-12-03T18:46:00.123Z'],
    ['2026-12-03 18:46:00.12345+00', '2026-12-03T18:46:00.123Z'],
    ['2026-12-03 18:46:00.123456+00', '2026-12-03T18:46:00.123Z'],
  ])('writes UTC text %s as toISOString() does: %s', (text, iso) => {
    expect(isoTimestamp(text)).toBe(iso);
    expect(isoTimestamp(text)).toBe(new Date(text).toISOString());
  });

  it('cuts the fraction to the millisecond as a Date does, never rounding up', () => {
    expect(isoTimestamp('2026-12-31 23:59:59.999999+00')).toBe('2026-12-31T23:59:59.999Z');
  });

  it('reads text in another time zone through Date', () => {
    expect(isoTimestamp('2026-12-03 18:46:00.5+05:30')).toBe('2026-12-03T13:16:00.500Z');
    expect(isoTimestamp('2026-12-03 01:00:00-08')).toBe('2026-12-03T09:00:00.000Z');
  });

  it('keeps a year before 100 as written, where Date reads 0099 as 1999', () => {
    expect(isoTimestamp('0099-01-01 00:00:00+00')).toBe('0099-01-01T00:00:00.000Z');
  });
});
