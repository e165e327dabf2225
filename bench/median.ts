// The benchmark's one statistic: each table shows the median of its runs, which a
// single disturbed run on a shared machine can't move.

/** The middle value (the upper one of an even count); NaN for none. */
export const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
