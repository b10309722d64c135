/**
 * The lossless JSON tree that package files are parsed into.
 * Numbers keep their source text so that integers beyond 2^53 stay exact and the int/float
 * distinction of the source survives (Python's json.dumps prints `5.0` for a float and `5` for an int).
 */
export class JsonNumber {
  /**
   * The number exactly as written in the source, e.g. `9223372036854775807`, `5.0`, `1e-5`.
   * The non-standard literals Python's parser accepts are kept as the words `NaN`, `Infinity`, `-Infinity`.
   */
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  /**
   * True when the source text has no fraction and no exponent (Python parses it as `int`).
   * `NaN`, `Infinity` and `-Infinity` are floats in Python, so they are not integers.
   */
  get isInteger(): boolean {
    return INTEGER_TEXT.test(this.text);
  }
  /** The value as a JS number (precision is lost beyond 2^53; use `text` for exact work). */
  toNumber(): number {
    return Number(this.text);
  }
}

const INTEGER_TEXT = /^-?[0-9]+$/;

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;
/** Objects are created with a null prototype, so a key such as `__proto__` is an ordinary key. */
export interface JsonObject {
  [key: string]: JsonValue;
}

/** A JSON object node: a non-array object whose prototype is null or `Object.prototype`. */
export function isJsonObject(value: unknown): value is JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}

/**
 * Converts to plain JS values (numbers as JS numbers) for JSON-Schema validation with ajv.
 * Objects get the ordinary prototype; a `__proto__` key becomes an own data property, never the prototype.
 */
export function toPlain(value: JsonValue): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof JsonNumber) return value.toNumber();
  if (Array.isArray(value)) return value.map(toPlain);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const plain = toPlain(value[key] as JsonValue);
    if (key === '__proto__') {
      Object.defineProperty(out, key, { value: plain, enumerable: true, writable: true, configurable: true });
    } else {
      out[key] = plain;
    }
  }
  return out;
}
