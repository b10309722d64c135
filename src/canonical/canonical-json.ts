/**
 * Canonical JSON exactly as the reference (ADR-0007) produces it: NFC strings and keys, keys in code-point
 * order, nulls dropped from objects (kept in arrays), integers only (integral floats become ints, int64
 * range), compact separators, raw UTF-8, and a final NFC pass over the whole text.
 *
 * Input is a parsed `JsonValue` tree or plain JS built in code: string, boolean, null, undefined (treated
 * like null: absent in objects, `null` in arrays, `{}` at the top), number, bigint, arrays, plain objects
 * and `JsonNumber`.
 */

import { quoteJsonString } from './json-string.js';
import { isJsonObject, JsonNumber } from './json-value.js';
import { pyFloatRepr } from './python-float.js';
import { hasLoneSurrogate, sortByCodePoints } from './python-text.js';

export interface CanonicalOptions {
  /**
   * `'reject'` (default, the reference rule): a non-integral float is an error.
   * `'python-repr'`: finite non-integral floats are written as Python `repr(float)` (`2.5`, `1e-05`).
   * Integral floats become ints in both modes; NaN and ±Infinity are always errors.
   */
  floats?: 'reject' | 'python-repr';
  /** Deepest allowed nesting of arrays and objects (default 512). */
  maxDepth?: number;
}

/** The value cannot be written as canonical JSON. */
export class CanonicalJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CanonicalJsonError';
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** Below U+0300 no character composes or reorders under NFC, so such text is already NFC. */
const MAYBE_NOT_NFC = /[\u0300-\uffff]/;

/** A string as canonical JSON writes it: in Unicode NFC (quick for the usual ASCII). */
export function nfc(text: string): string {
  return MAYBE_NOT_NFC.test(text) ? text.normalize('NFC') : text;
}
const LONE_SURROGATE = /\p{Cs}/u;

function checkInt64(value: bigint): string {
  if (value < INT64_MIN || value > INT64_MAX) {
    throw new CanonicalJsonError(
      `Integer ${value} outside signed 64-bit range. Large integers must be stored as strings in non-semantic fields.`,
    );
  }
  return value.toString();
}

function typeName(value: unknown): string {
  if (typeof value !== 'object' || value === null) return typeof value;
  return (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
}

class CanonicalWriter {
  /** Set when some text was not plain below U+0300, so the final NFC pass may change something. */
  private sawNonTrivialText = false;
  private readonly pythonFloats: boolean;
  private readonly maxDepth: number;

  constructor(options: CanonicalOptions) {
    this.pythonFloats = options.floats === 'python-repr';
    this.maxDepth = options.maxDepth ?? 512;
  }

  write(value: unknown): string {
    const text = value === null || value === undefined ? '{}' : this.value(value, 0);
    return this.sawNonTrivialText ? text.normalize('NFC') : text;
  }

  private value(value: unknown, depth: number): string {
    switch (typeof value) {
      case 'string':
        return quoteJsonString(this.text(value));
      case 'boolean':
        return value ? 'true' : 'false';
      case 'number':
        return this.float(value);
      case 'bigint':
        return checkInt64(value);
      case 'undefined':
        return 'null';
      case 'object':
        if (value === null) return 'null';
        if (value instanceof JsonNumber) return this.jsonNumber(value);
        if (depth >= this.maxDepth) {
          throw new CanonicalJsonError(`Nesting deeper than ${this.maxDepth} levels in canonical JSON.`);
        }
        if (Array.isArray(value)) return this.array(value, depth + 1);
        if (isJsonObject(value)) return this.object(value as Record<string, unknown>, depth + 1);
        break;
    }
    throw new CanonicalJsonError(
      `Unsupported type ${typeName(value)} in canonical JSON. Only dict, list, str, int, bool, and null are permitted.`,
    );
  }

  /** NFC form of a string or key; lone surrogates cannot be encoded as UTF-8 and are refused. */
  private text(s: string): string {
    if (!MAYBE_NOT_NFC.test(s)) return s;
    this.sawNonTrivialText = true;
    if (hasLoneSurrogate(s)) {
      const match = LONE_SURROGATE.exec(s) as RegExpExecArray;
      const code = match[0].charCodeAt(0).toString(16).toUpperCase();
      throw new CanonicalJsonError(
        `Lone surrogate U+${code} at index ${match.index} not permitted in canonical JSON (it cannot be encoded as UTF-8).`,
      );
    }
    return s.normalize('NFC');
  }

  private jsonNumber(n: JsonNumber): string {
    if (!n.isInteger) return this.float(n.toNumber());
    // Up to 15 digits a JS number is exact; String() also turns `-0` into `0`.
    return n.text.length <= 15 ? String(Number(n.text)) : checkInt64(BigInt(n.text));
  }

  /** A JS number, or the float value of a non-integer JsonNumber (Python `float(text)`). */
  private float(x: number): string {
    if (Number.isNaN(x)) {
      throw new CanonicalJsonError(
        'NaN values not permitted in canonical JSON. Consider using null or a string representation.',
      );
    }
    if (!Number.isFinite(x)) {
      throw new CanonicalJsonError(
        'Infinity values not permitted in canonical JSON. Consider using a large integer or string representation.',
      );
    }
    if (Number.isInteger(x)) return Number.isSafeInteger(x) ? String(x) : checkInt64(BigInt(x));
    if (this.pythonFloats) return pyFloatRepr(x);
    throw new CanonicalJsonError(
      `Float values not permitted in canonical JSON: ${pyFloatRepr(x)}. Convert to integer, use fixed-point ` +
        'representation (multiply by 100), or store as string for non-semantic fields.',
    );
  }

  private array(items: readonly unknown[], depth: number): string {
    let out = '[';
    for (let i = 0; i < items.length; i++) {
      if (i > 0) out += ',';
      out += this.value(items[i], depth);
    }
    return `${out}]`;
  }

  private object(object: Record<string, unknown>, depth: number): string {
    let names: string[] = [];
    let texts: string[] = [];
    let renamed = false;
    for (const key of Object.keys(object)) {
      const member = object[key];
      if (member === null || member === undefined) continue;
      texts.push(this.value(member, depth));
      const name = this.text(key);
      renamed ||= name !== key;
      names.push(name);
    }
    // Keys that collapse to the same NFC form: the later one wins.
    if (renamed) [names, texts] = lastOfEachName(names, texts);
    sortByCodePoints(names, texts);
    let out = '{';
    for (let i = 0; i < names.length; i++) {
      if (i > 0) out += ',';
      out += `${quoteJsonString(names[i] as string)}:${texts[i]}`;
    }
    return `${out}}`;
  }
}

function lastOfEachName(names: string[], texts: string[]): [string[], string[]] {
  const members = new Map<string, string>();
  names.forEach((name, index) => {
    members.set(name, texts[index] as string);
  });
  return [[...members.keys()], [...members.values()]];
}

/** Canonical JSON text of a value (top-level null or undefined gives `{}`). */
export function canonicalJson(value: unknown, options: CanonicalOptions = {}): string {
  return new CanonicalWriter(options).write(value);
}

/** Canonical JSON as UTF-8 bytes: the bytes that get hashed and stored. */
export function canonicalJsonBytes(value: unknown, options: CanonicalOptions = {}): Buffer {
  return Buffer.from(canonicalJson(value, options), 'utf8');
}
