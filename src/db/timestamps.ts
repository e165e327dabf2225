// timestamptz values as the ISO-8601 text JavaScript's toISOString() writes
// (`2026-12-03T18:46:00.123Z`), straight from PostgreSQL's own text, instead of
// postgres.js's default of a Date parsed from that text and formatted again by
// whoever answers with it: two allocations and two conversions on every row.

/** PostgreSQL's timestamptz type OID. */
export const TIMESTAMPTZ = 1184;

// What the pool's sessions send (DateStyle ISO, TimeZone UTC): `2026-12-03 18:46:00+00`,
// with 0 to 6 fraction digits before the offset.
const UTC_TEXT = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{1,6})?\+00$/;

/**
 * `text` (PostgreSQL's output of a timestamptz) as toISOString() gives it: to the
 * millisecond, the rest cut off as a Date would. Text in another time zone or
 * form (a session whose TimeZone a pooler dropped, a year past 9999, infinity)
 * goes through Date, which reads them all.
 */
export function isoTimestamp(text: string): string {
  if (!UTC_TEXT.test(text)) return new Date(text).toISOString();
  const fraction = text.slice(20, -3); // '' without one: the slice starts past its end
  return `${text.slice(0, 10)}T${text.slice(11, 19)}.${`${fraction}000`.slice(0, 3)}Z`;
}
