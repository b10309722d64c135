/** Numbers given on the command line (counts, limits, seeds). */
import { UsageError } from '../errors.js';

/**
 * `text` as a whole number (from `min`, default 0, to `max` when given); anything else (a sign, a fraction, a
 * word, a number past what is exact or out of range) is exit 2 naming `flag`.
 */
export function wholeNumber(
  flag: string,
  text: string,
  { min = 0, max }: { min?: number; max?: number } = {},
): number {
  const value = Number(text);
  const inRange = value >= min && (max === undefined || value <= max);
  if (/^[0-9]+$/.test(text) && !Number.isSafeInteger(value) && max === undefined) {
    throw new UsageError(`${flag} is too large: '${text}' (at most ${Number.MAX_SAFE_INTEGER})`, {
      option: flag,
    });
  }
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(value) || !inRange) {
    const range = max !== undefined ? ` from ${min} to ${max}` : min > 0 ? ` from ${min}` : '';
    throw new UsageError(`${flag} must be a whole number${range}, not '${text}'`, { option: flag });
  }
  return value;
}
