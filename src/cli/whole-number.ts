/** Numbers given on the command line (counts, limits, seeds). */
import { UsageError } from '../errors.js';

/**
 * `text` as a whole number (at most `max` when given); anything else (a sign, a fraction, a word, a number
 * past what is exact) is exit 2 naming `flag`.
 */
export function wholeNumber(flag: string, text: string, max?: number): number {
  const value = Number(text);
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(value) || (max !== undefined && value > max)) {
    const range = max === undefined ? '' : ` from 0 to ${max}`;
    throw new UsageError(`${flag} must be a whole number${range}, not '${text}'`, { option: flag });
  }
  return value;
}
