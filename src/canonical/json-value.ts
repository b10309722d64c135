/**
 * The lossless JSON tree that package files are parsed into.
 * Numbers keep their source text so that integers beyond 2^53 stay exact and the int/float
 * distinction of the source survives (Python's json.dumps prints `5.0` for a float and `5` for an int).
 */
export class JsonNumber {
  /** The number exactly as written in the source, e.g. `9223372036854775807`, `5.0`, `1e-5`. */
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  /** True when the source text has no fraction and no exponent (Python parses it as `int`). */
  get isInteger(): boolean {
    throw new Error('not implemented');
  }
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;
/** Objects are created with a null prototype, so a key such as `__proto__` is an ordinary key. */
export interface JsonObject {
  [key: string]: JsonValue;
}

export function isJsonObject(value: unknown): value is JsonObject {
  throw new Error('not implemented');
}

/** Converts to plain JS values (numbers as JS numbers) for JSON-Schema validation with ajv. */
export function toPlain(value: JsonValue): unknown {
  throw new Error('not implemented');
}
