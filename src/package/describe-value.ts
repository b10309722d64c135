import { type JsonValue, toPlain } from '../canonical/index.js';

/** A parsed value for an error message: strings quoted as they are, anything else as JSON text. */
export function describeValue(value: JsonValue | undefined): string {
  if (value === undefined) return '(missing)';
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(toPlain(value));
}
