/** Names made only of these characters (job names are DNS labels) sort the same by code unit as by localeCompare. */
const PLAIN = /^[a-z0-9-]*$/;

/**
 * The order of names in every listing: localeCompare's, computed by code unit when both names are
 * plain (lower-case letters, digits and hyphens, where the two orders agree: CLDR's root collation
 * puts the hyphen before digits and digits before letters, as ASCII does). localeCompare costs
 * about ten times more, tens of milliseconds when sorting 10,000 jobs.
 */
export function compareNames(a: string, b: string): number {
  if (PLAIN.test(a) && PLAIN.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return a.localeCompare(b);
}
