// The one failure that crosses layers by type: the database can't be reached
// right now (refused, gone, frozen past the deadline, statement cut off). db/
// raises it in place of the driver's many errors, http/ answers it with a 503
// and Retry-After; neither needs to know the other.
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}
