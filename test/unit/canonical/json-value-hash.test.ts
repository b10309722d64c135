import { describe, expect, it } from 'vitest';
import {
  canonicalHash,
  canonicalHashHex,
  isJsonObject,
  JsonNumber,
  parseJson,
  sha256,
  sha256Hex,
  toPlain,
} from '../../../src/canonical/index.js';

describe('JsonNumber', () => {
  it('is an integer only when the text has no fraction, exponent or non-finite word', () => {
    expect(new JsonNumber('-42').isInteger).toBe(true);
    expect(new JsonNumber('9223372036854775808').isInteger).toBe(true);
    for (const text of ['5.0', '1e5', '1E5', 'NaN', 'Infinity', '-Infinity']) {
      expect(new JsonNumber(text).isInteger, text).toBe(false);
    }
  });
});

describe('isJsonObject', () => {
  it('accepts parsed and plain objects only', () => {
    expect(isJsonObject(parseJson('{}'))).toBe(true);
    expect(isJsonObject({ a: 1 })).toBe(true);
    for (const value of [null, [], 'x', 1, new JsonNumber('1'), new Date(0), new Map()]) {
      expect(isJsonObject(value)).toBe(false);
    }
  });
});

describe('toPlain', () => {
  it('converts numbers with Number() and keeps the tree shape', () => {
    expect(toPlain(parseJson('{"a": [1, 2.5, "x", null, true], "b": {"c": NaN}}'))).toEqual({
      a: [1, 2.5, 'x', null, true],
      b: { c: Number.NaN },
    });
  });

  it('turns a __proto__ key into an own property, never the prototype', () => {
    const plain = toPlain(parseJson('{"__proto__": {"admin": true}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
    expect(Object.keys(plain)).toEqual(['__proto__']);
    expect(plain.admin).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(plain, '__proto__')?.value).toEqual({ admin: true });
  });
});

describe('hashes', () => {
  it('sha256 of bytes and strings (UTF-8), raw and hex', () => {
    const empty = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
    expect(sha256Hex('')).toBe(empty);
    expect(sha256(new Uint8Array())).toEqual(Buffer.from(empty, 'hex'));
    expect(sha256Hex('é')).toBe(sha256Hex(Buffer.from([0xc3, 0xa9])));
  });

  it('refuses to hash a string with a lone surrogate instead of hashing U+FFFD', () => {
    expect(() => sha256('a\ud800')).toThrow('lone surrogate');
  });

  it('canonicalHash is SHA-256 of the canonical bytes', () => {
    expect(canonicalHashHex(null)).toBe('44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
    expect(canonicalHash({ b: 1, a: null })).toEqual(sha256('{"b":1}'));
    expect(canonicalHashHex({ v: 2.5 }, { floats: 'python-repr' })).toBe(sha256Hex('{"v":2.5}'));
  });
});
