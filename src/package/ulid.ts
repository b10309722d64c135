/** A real ULID: 26 Crockford base-32 characters whose value fits in 128 bits (first character 0-7). */
const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

export function isUlid(value: unknown): value is string {
  return typeof value === 'string' && ULID.test(value);
}
