/**
 * Emulates Python `json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)` on a value
 * parsed by `json.loads`, as the reference does for the per-record edge hash: nulls kept, no NFC, keys in
 * code-point order, ints from their source digits (any size), floats as Python `repr(float(text))`, and
 * `NaN`, `Infinity`, `-Infinity` as bare words.
 */

import { quoteJsonString } from './json-string.js';
import { JsonNumber, type JsonValue } from './json-value.js';
import { pyFloatRepr } from './python-float.js';
import { sortByCodePoints } from './python-text.js';

/** Python's encoder gives up near its recursion limit; so do we, instead of overflowing the stack. */
const MAX_DEPTH = 1000;

function pythonNumber(n: JsonNumber): string {
  if (n.isInteger) return n.text.length <= 15 ? String(Number(n.text)) : BigInt(n.text).toString();
  const x = n.toNumber();
  if (Number.isNaN(x)) return 'NaN';
  if (x === Number.POSITIVE_INFINITY) return 'Infinity';
  if (x === Number.NEGATIVE_INFINITY) return '-Infinity';
  return pyFloatRepr(x);
}

function dump(value: JsonValue, depth: number): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return quoteJsonString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof JsonNumber) return pythonNumber(value);
  if (depth >= MAX_DEPTH) throw new RangeError(`Nesting deeper than ${MAX_DEPTH} levels in json.dumps`);
  let out: string;
  if (Array.isArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += dump(value[i] as JsonValue, depth + 1);
    }
    return `${out}]`;
  }
  const keys = sortByCodePoints(Object.keys(value));
  out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (i > 0) out += ',';
    out += `${quoteJsonString(key)}:${dump(value[key] as JsonValue, depth + 1)}`;
  }
  return `${out}}`;
}

export function pythonJsonDumps(value: JsonValue): string {
  return dump(value, 0);
}
