/**
 * Whether a text is exactly what PostgreSQL prints for a parsed document as jsonb (`payload::text`): `", "`
 * and `": "` separators, object keys ordered as jsonb stores them (by UTF-8 length, then bytewise), strings
 * escaped as `JSON.stringify` escapes them (the same set as PostgreSQL's `escape_json`), numbers as written.
 *
 * A fast path for comparisons, done for speed: the text is matched in place, nothing is parsed or built.
 * A text that matches parses back to a document equal to the value. One that does not proves nothing (a
 * number PostgreSQL prints in another form, non-ASCII keys in another order): compare it the slow way.
 */
import { JsonNumber, type JsonObject, type JsonValue } from '../canonical/index.js';

export function printsAsJsonb(text: string, value: JsonValue): boolean {
  return matchValue(text, 0, value) === text.length;
}

/** Matches `value`, printed as jsonb, at `at`: the position after it, or -1 (also when `at` is -1). */
function matchValue(text: string, at: number, value: JsonValue): number {
  if (value === null) return matchLiteral(text, at, 'null');
  if (typeof value === 'boolean') return matchLiteral(text, at, value ? 'true' : 'false');
  if (typeof value === 'string') return matchString(text, at, value);
  if (value instanceof JsonNumber) return matchLiteral(text, at, value.text);
  if (Array.isArray(value)) return matchArray(text, at, value);
  return matchObject(text, at, value);
}

function matchLiteral(text: string, at: number, literal: string): number {
  return at >= 0 && text.startsWith(literal, at) ? at + literal.length : -1;
}

// Single characters are compared by code (startsWith costs more): this runs for every value of every
// projection row.
const QUOTE = 0x22;
const SPACE = 0x20;
const COMMA = 0x2c;
const COLON = 0x3a;

function matchChar(text: string, at: number, code: number): number {
  return at >= 0 && text.charCodeAt(at) === code ? at + 1 : -1;
}

/** `mark` and a space: jsonb's separators. */
function matchSeparator(text: string, at: number, mark: number): number {
  return matchChar(text, matchChar(text, at, mark), SPACE);
}

/** Characters a string prints escaped (PostgreSQL's escape_json escapes the same ones as JSON.stringify). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what is looked for.
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;

// Strings are compared as slices (`===` compares memory; startsWith and loops over characters are several
// times slower on long strings such as a chunk's content).
function matchString(text: string, at: number, value: string): number {
  const start = matchChar(text, at, QUOTE);
  if (start < 0) return -1;
  const end = start + value.length;
  const escaped = NEEDS_ESCAPE.test(value);
  if (!escaped) return text.charCodeAt(end) === QUOTE && text.slice(start, end) === value ? end + 1 : -1;
  const printed = JSON.stringify(value);
  return text.slice(at, at + printed.length) === printed ? at + printed.length : -1;
}

function matchArray(text: string, at: number, items: JsonValue[]): number {
  let pos = matchChar(text, at, 0x5b); // [
  for (let i = 0; i < items.length && pos >= 0; i++) {
    if (i > 0) pos = matchSeparator(text, pos, COMMA);
    pos = matchValue(text, pos, items[i] as JsonValue);
  }
  return matchChar(text, pos, 0x5d); // ]
}

function matchObject(text: string, at: number, object: JsonObject): number {
  // Keys in code point order (a canonical payload's) that are ASCII come in jsonb's order after a stable sort
  // by length; other keys may not, and then the text does not match.
  const keys = sortByLength(Object.keys(object));
  let pos = matchChar(text, at, 0x7b); // {
  for (let i = 0; i < keys.length && pos >= 0; i++) {
    const key = keys[i] as string;
    if (i > 0) pos = matchSeparator(text, pos, COMMA);
    pos = matchSeparator(text, matchString(text, pos, key), COLON);
    pos = matchValue(text, pos, object[key] as JsonValue);
  }
  return matchChar(text, pos, 0x7d); // }
}

/** A stable insertion sort by length: objects have few keys, and Array#sort with a comparator costs more. */
function sortByLength(keys: string[]): string[] {
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    for (; j >= 0 && (keys[j] as string).length > key.length; j--) keys[j + 1] = keys[j] as string;
    keys[j + 1] = key;
  }
  return keys;
}
