/**
 * A strict JSON parser that behaves like Python's `json.loads` (what the reference importer uses),
 * producing the lossless `JsonValue` tree.
 *
 * Why not the `lossless-json` package: it throws on duplicate keys with different values (Python keeps the
 * last one), rejects `NaN`/`Infinity` (Python accepts them), recurses without a depth limit (100,000 `[`
 * overflows the stack) and its error messages do not match Python's. This parser is iterative, linear in
 * the input length, and reports errors with Python's wording and positions, e.g.
 * `Expecting ',' delimiter: line 3 column 5 (char 41)`.
 *
 * Positions (`line`, `column`, `offset`) are counted in code points, as Python counts `str` indices.
 */
import { JsonNumber, type JsonObject, type JsonValue } from './json-value.js';
import { codePointLength } from './python-text.js';

export interface ParseJsonOptions {
  /** `'last-wins'` (default, like Python) or `'reject'`: throw `JsonDuplicateKeyError`. */
  duplicateKeys?: 'last-wins' | 'reject';
  /** Accept the literals `NaN`, `Infinity`, `-Infinity` (default true, like Python). */
  allowNonFinite?: boolean;
  /** Deepest allowed nesting of arrays and objects (default 512). */
  maxDepth?: number;
}

interface TextPosition {
  line: number;
  column: number;
  offset: number;
}

/** Python's `doc.count('\n', 0, pos) + 1`, `pos - doc.rindex('\n', 0, pos)` and `pos`, in code points. */
function locate(text: string, index: number): TextPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  const offset = codePointLength(text.slice(0, index));
  const column = codePointLength(text.slice(lineStart, index)) + 1;
  return { line, column, offset };
}

/** The text is not JSON. `reason` is Python's message without the position suffix. */
export class JsonSyntaxError extends Error {
  readonly reason: string;
  readonly line: number;
  readonly column: number;
  readonly offset: number;

  constructor(reason: string, position: TextPosition) {
    super(`${reason}: line ${position.line} column ${position.column} (char ${position.offset})`);
    this.name = 'JsonSyntaxError';
    this.reason = reason;
    this.line = position.line;
    this.column = position.column;
    this.offset = position.offset;
  }
}

/** An object has the same key twice and the caller asked for `duplicateKeys: 'reject'`. */
export class JsonDuplicateKeyError extends Error {
  readonly key: string;
  readonly line: number;
  readonly column: number;
  readonly offset: number;

  constructor(key: string, position: TextPosition) {
    super(
      `Duplicate key ${JSON.stringify(key)}: line ${position.line} column ${position.column} (char ${position.offset})`,
    );
    this.name = 'JsonDuplicateKeyError';
    this.key = key;
    this.line = position.line;
    this.column = position.column;
    this.offset = position.offset;
  }
}

/** Python refuses to convert integers longer than this (`sys.get_int_max_str_digits()`, Python 3.11). */
const INT_MAX_STR_DIGITS = 4300;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const DIGIT_0 = 0x30;
const DIGIT_1 = 0x31;
const DIGIT_9 = 0x39;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

type Frame = { array: JsonValue[] } | { object: JsonObject; key: string; keyIndex: number };

function isDigit(c: number): boolean {
  return c >= DIGIT_0 && c <= DIGIT_9;
}

function hexValue(c: number): number {
  if (c >= DIGIT_0 && c <= DIGIT_9) return c - DIGIT_0;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

class Parser {
  private pos = 0;
  private readonly stack: Frame[] = [];
  private readonly rejectDuplicates: boolean;
  private readonly allowNonFinite: boolean;
  private readonly maxDepth: number;

  constructor(
    private readonly text: string,
    options: ParseJsonOptions,
  ) {
    this.rejectDuplicates = options.duplicateKeys === 'reject';
    this.allowNonFinite = options.allowNonFinite !== false;
    this.maxDepth = options.maxDepth ?? 512;
  }

  parse(): JsonValue {
    const text = this.text;
    if (text.charCodeAt(0) === 0xfeff)
      this.fail('Unexpected UTF-8 BOM (save the file as UTF-8 without a byte order mark)', 0);
    this.skipWhitespace();
    let value = this.parseValueOrOpen();
    for (;;) {
      if (value === undefined) {
        value = this.parseValueOrOpen();
        continue;
      }
      const frame = this.stack[this.stack.length - 1];
      if (frame === undefined) break;
      this.skipWhitespace();
      const c = text.charCodeAt(this.pos);
      if ('array' in frame) {
        frame.array.push(value);
        if (c === COMMA) {
          this.pos++;
          this.skipWhitespace();
          value = undefined;
        } else if (c === CLOSE_BRACKET) {
          this.pos++;
          this.stack.pop();
          value = frame.array;
        } else {
          this.fail("Expecting ',' delimiter", this.pos);
        }
      } else {
        this.setMember(frame, value);
        if (c === COMMA) {
          this.pos++;
          this.skipWhitespace();
          this.readKey(frame);
          value = undefined;
        } else if (c === CLOSE_BRACE) {
          this.pos++;
          this.stack.pop();
          value = frame.object;
        } else {
          this.fail("Expecting ',' delimiter", this.pos);
        }
      }
    }
    this.skipWhitespace();
    if (this.pos !== text.length) this.fail('Extra data', this.pos);
    return value;
  }

  /**
   * Parses a scalar or an empty container and returns it, or opens a non-empty container (pushing a
   * frame positioned at its first value) and returns undefined.
   */
  private parseValueOrOpen(): JsonValue | undefined {
    const text = this.text;
    const start = this.pos;
    const c = text.charCodeAt(start);
    switch (c) {
      case QUOTE:
        return this.readString();
      case OPEN_BRACE: {
        this.pos++;
        this.skipWhitespace();
        const object: JsonObject = Object.create(null);
        if (text.charCodeAt(this.pos) === CLOSE_BRACE) {
          this.pos++;
          return object;
        }
        const frame = { object, key: '', keyIndex: 0 };
        this.push(frame, start);
        this.readKey(frame);
        return undefined;
      }
      case OPEN_BRACKET: {
        this.pos++;
        this.skipWhitespace();
        const array: JsonValue[] = [];
        if (text.charCodeAt(this.pos) === CLOSE_BRACKET) {
          this.pos++;
          return array;
        }
        this.push({ array }, start);
        return undefined;
      }
      case 0x6e: // n
        return this.readWord('null', null);
      case 0x74: // t
        return this.readWord('true', true);
      case 0x66: // f
        return this.readWord('false', false);
      case 0x4e: // N
        return this.readNonFinite('NaN');
      case 0x49: // I
        return this.readNonFinite('Infinity');
      case MINUS:
        if (text.startsWith('-Infinity', start)) return this.readNonFinite('-Infinity');
        return this.readNumber();
      default:
        if (isDigit(c)) return this.readNumber();
        return this.fail('Expecting value', start);
    }
  }

  private push(frame: Frame, start: number): void {
    if (this.stack.length >= this.maxDepth) {
      this.fail(`Maximum nesting depth of ${this.maxDepth} exceeded`, start);
    }
    this.stack.push(frame);
  }

  /** Reads `"key"` and the `:` after it, leaving the position at the member's value. */
  private readKey(frame: { key: string; keyIndex: number }): void {
    if (this.text.charCodeAt(this.pos) !== QUOTE) {
      this.fail('Expecting property name enclosed in double quotes', this.pos);
    }
    frame.keyIndex = this.pos;
    frame.key = this.readString();
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) !== COLON) this.fail("Expecting ':' delimiter", this.pos);
    this.pos++;
    this.skipWhitespace();
  }

  private setMember(frame: { object: JsonObject; key: string; keyIndex: number }, value: JsonValue): void {
    if (this.rejectDuplicates && Object.hasOwn(frame.object, frame.key)) {
      throw new JsonDuplicateKeyError(frame.key, locate(this.text, frame.keyIndex));
    }
    frame.object[frame.key] = value;
  }

  private readWord<T extends JsonValue>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail('Expecting value', this.pos);
    this.pos += word.length;
    return value;
  }

  private readNonFinite(word: 'NaN' | 'Infinity' | '-Infinity'): JsonNumber {
    if (!this.allowNonFinite || !this.text.startsWith(word, this.pos)) this.fail('Expecting value', this.pos);
    this.pos += word.length;
    return new JsonNumber(word);
  }

  /** Python's NUMBER_RE `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`, backing off incomplete parts. */
  private readNumber(): JsonNumber {
    const text = this.text;
    const start = this.pos;
    let i = start;
    if (text.charCodeAt(i) === MINUS) i++;
    const first = text.charCodeAt(i);
    if (first === DIGIT_0) {
      i++;
    } else if (first >= DIGIT_1 && first <= DIGIT_9) {
      i++;
      while (isDigit(text.charCodeAt(i))) i++;
    } else {
      this.fail('Expecting value', start);
    }
    let isInteger = true;
    if (text.charCodeAt(i) === DOT && isDigit(text.charCodeAt(i + 1))) {
      i += 2;
      while (isDigit(text.charCodeAt(i))) i++;
      isInteger = false;
    }
    const e = text.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      let j = i + 1;
      const sign = text.charCodeAt(j);
      if (sign === PLUS || sign === MINUS) j++;
      if (isDigit(text.charCodeAt(j))) {
        j++;
        while (isDigit(text.charCodeAt(j))) j++;
        i = j;
        isInteger = false;
      }
    }
    const digits = i - start - (text.charCodeAt(start) === MINUS ? 1 : 0);
    if (isInteger && digits > INT_MAX_STR_DIGITS) {
      this.fail(
        `Exceeds the limit (${INT_MAX_STR_DIGITS} digits) for integer string conversion: value has ${digits} digits`,
        start,
      );
    }
    this.pos = i;
    return new JsonNumber(text.slice(start, i));
  }

  /** Reads a string starting at the opening quote; raw control characters are rejected. */
  private readString(): string {
    const text = this.text;
    const quote = this.pos;
    let chunkStart = quote + 1;
    let out = '';
    for (let i = chunkStart; ; i++) {
      if (i >= text.length) this.fail('Unterminated string starting at', quote);
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        this.pos = i + 1;
        return out === '' ? text.slice(chunkStart, i) : out + text.slice(chunkStart, i);
      }
      if (c < 0x20) this.fail('Invalid control character at', i);
      if (c !== BACKSLASH) continue;
      out += text.slice(chunkStart, i);
      if (i + 1 >= text.length) this.fail('Unterminated string starting at', quote);
      const letter = text[i + 1] as string;
      if (letter === 'u') {
        out += String.fromCharCode(this.readHex4(i + 2));
        i += 5;
      } else {
        const simple = SIMPLE_ESCAPES[letter];
        if (simple === undefined) this.fail('Invalid \\escape', i);
        out += simple;
        i += 1;
      }
      chunkStart = i + 1;
    }
  }

  /** Four hex digits at `at` (a lone surrogate escape such as `\uD800` is kept as it is, like Python). */
  private readHex4(at: number): number {
    const text = this.text;
    // Python demands one more character after the four digits (it reports a missing closing quote this way).
    if (at + 4 >= text.length) this.fail('Invalid \\uXXXX escape', at - 1);
    let value = 0;
    for (let k = 0; k < 4; k++) {
      const digit = hexValue(text.charCodeAt(at + k));
      if (digit < 0) this.fail('Invalid \\uXXXX escape', at - 1);
      value = value * 16 + digit;
    }
    return value;
  }

  /** JSON whitespace only: space, tab, LF, CR (Python's `[ \t\n\r]*`). */
  private skipWhitespace(): void {
    const text = this.text;
    let i = this.pos;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
    this.pos = i;
  }

  private fail(reason: string, index: number): never {
    throw new JsonSyntaxError(reason, locate(this.text, index));
  }
}

/** Parses JSON text like Python's `json.loads`, keeping number text and using null-prototype objects. */
export function parseJson(text: string, options: ParseJsonOptions = {}): JsonValue {
  return new Parser(text, options).parse();
}
