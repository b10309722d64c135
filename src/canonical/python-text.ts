/**
 * Python `str` semantics that JavaScript does not share: code-point ordering and length, and Python's
 * notion of whitespace (`str.isspace`, `str.strip`, `str.split`, regex `\s`).
 */

/**
 * Orders two strings by Unicode code point, as Python compares `str` (JS `<` compares UTF-16 units,
 * which puts U+E000..U+FFFF after astral characters).
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      // UTF-16 order equals code-point order except between surrogates (0xD800-0xDFFF) and
      // 0xE000-0xFFFF: move surrogates above the rest of the BMP before comparing.
      if (x >= 0xd800 && y >= 0xd800) {
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x - y;
    }
  }
  return a.length - b.length;
}

/** Above this many keys `sortByCodePoints` leaves the work to `Array.prototype.sort`. */
const INSERTION_SORT_MAX = 24;

/**
 * Sorts strings by code point in place and returns them; `companions[i]` moves along with `keys[i]`. An object's
 * few keys, often in order already, are sorted by insertion: no work array (V8's sort allocates one per call: a
 * third of all that canonicalising a big package allocated) and one comparison per key when they are in order.
 */
export function sortByCodePoints<T>(keys: string[], companions?: T[]): string[] {
  if (keys.length > INSERTION_SORT_MAX) return sortLong(keys, companions);
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string;
    const companion = companions?.[i] as T;
    let j = i - 1;
    for (; j >= 0 && compareCodePoints(keys[j] as string, key) > 0; j--) {
      keys[j + 1] = keys[j] as string;
      if (companions) companions[j + 1] = companions[j] as T;
    }
    keys[j + 1] = key;
    if (companions) companions[j + 1] = companion;
  }
  return keys;
}

function sortLong<T>(keys: string[], companions?: T[]): string[] {
  if (!companions) return keys.sort(compareCodePoints);
  const order = keys
    .map((_, index) => index)
    .sort((a, b) => compareCodePoints(keys[a] as string, keys[b] as string));
  const sortedKeys = order.map((index) => keys[index] as string);
  const sortedCompanions = order.map((index) => companions[index] as T);
  for (let i = 0; i < order.length; i++) {
    keys[i] = sortedKeys[i] as string;
    companions[i] = sortedCompanions[i] as T;
  }
  return keys;
}

/** Python `len(s)`: the number of code points (a lone surrogate counts as one). */
export function codePointLength(s: string): number {
  let count = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        count--;
        i++;
      }
    }
  }
  return count;
}

/**
 * Character-class source matching exactly Python's `\s` for `str` patterns, which is the set of
 * characters for which `str.isspace()` is true (Unicode 14: bidi classes WS, B, S and category Zs).
 * Not U+FEFF and not U+180E, both of which JavaScript's `\s` includes.
 */
export const PY_SPACE_CLASS =
  '[\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';

function isSpaceUnit(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c >= 0x1c;
  if (c < 0x85) return false;
  return (
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** Python `s.isspace()`: true when `s` is non-empty and every character is whitespace. */
export function pyIsSpace(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    if (!isSpaceUnit(s.charCodeAt(i))) return false;
  }
  return true;
}

/** Python `s.strip()` with no argument. */
export function pyStrip(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isSpaceUnit(s.charCodeAt(start))) start++;
  while (end > start && isSpaceUnit(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/** Python `len(s.split())`: the number of runs of non-whitespace characters (counted, nothing split). */
export function pyWordCount(s: string): number {
  let words = 0;
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const space = isSpaceUnit(s.charCodeAt(i));
    if (!space && !inWord) words++;
    inWord = !space;
  }
  return words;
}

type WellFormedCheck = { isWellFormed(): boolean };

/** True when `s` holds a lone surrogate, which Python cannot encode as UTF-8 (Node would write U+FFFD). */
export function hasLoneSurrogate(s: string): boolean {
  // String.prototype.isWellFormed exists from Node 20 (ES2024), newer than the configured lib.
  return !(s as string & WellFormedCheck).isWellFormed();
}
