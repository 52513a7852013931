/**
 * Quotes `value` as one word for a POSIX shell (`sh`, `bash`): wrapped in single quotes, each
 * `'` written as `'\''`. For building commands run inside a sandbox (`exec 'python3' -u …`,
 * `rm -rf '/tmp/rlms/…'`) from paths and names that may hold spaces or quotes.
 */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
