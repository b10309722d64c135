import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  JsonNumber,
  parseJson,
  pyFloatRepr,
  pythonJsonDumps,
  sha256Hex,
} from '../../../src/canonical/index.js';
import { HAS_REFERENCE, REFERENCE_DIR, SKIP_REFERENCE_MESSAGE } from './reference-dir.js';

const dumps = (text: string): string => pythonJsonDumps(parseJson(text));

describe('pythonJsonDumps: json.dumps(sort_keys=True, separators=(",",":"), ensure_ascii=False)', () => {
  const edgeRecord =
    '{"dst_ref":"01JA6Z7F8NPC00000000000000","src_ref":"01JA6Z7F8NPC00000000000000",' +
    '"stable_id":"01JA6Z7F8EDGE0000000000000","type":"adjacent_to","validity":null}';

  it('hashes the happy-path edge record to its reference hash (nulls kept)', () => {
    const record = parseJson(
      '{\n  "stable_id": "01JA6Z7F8EDGE0000000000000",\n  "type": "adjacent_to",\n' +
        '  "src_ref": "01JA6Z7F8NPC00000000000000",\n  "dst_ref": "01JA6Z7F8NPC00000000000000",\n  "validity": null\n}',
    );
    expect(pythonJsonDumps(record)).toBe(edgeRecord);
    expect(sha256Hex(pythonJsonDumps(record))).toBe(
      'b9594277522f86a9b88c15e9ae4eb122490973d82e45714f474c8bc2825c5173',
    );
  });

  it.skipIf(!HAS_REFERENCE)(
    `reads the reference edges/relationship.json to the same text${HAS_REFERENCE ? '' : ` (${SKIP_REFERENCE_MESSAGE})`}`,
    () => {
      const file = join(
        REFERENCE_DIR,
        'fixtures/tests/fixtures/import/manifest/happy-path/edges/relationship.json',
      );
      expect(dumps(readFileSync(file, 'utf8'))).toBe(edgeRecord);
    },
  );

  it('prints ints from their digits at any size, -0 as 0', () => {
    expect(dumps('[123456789012345678901234567890, -0, 9223372036854775808]')).toBe(
      '[123456789012345678901234567890,0,9223372036854775808]',
    );
  });

  it('prints floats as Python repr(float(text))', () => {
    expect(
      dumps('[5.0, 1e16, 1e-5, 1e15, 1000000000000000.0, -0.0, 1e100, 2.50, 0.1, 1E2, 1e-4, 123.456e3]'),
    ).toBe(
      '[5.0,1e+16,1e-05,1000000000000000.0,1000000000000000.0,-0.0,1e+100,2.5,0.1,100.0,0.0001,123456.0]',
    );
  });

  it('prints NaN and infinities (including overflowing literals) as bare words', () => {
    expect(dumps('[NaN, Infinity, -Infinity, 1e400, -1e400]')).toBe(
      '[NaN,Infinity,-Infinity,Infinity,-Infinity]',
    );
  });

  it('sorts keys by code point and does not NFC-normalise', () => {
    expect(dumps('{"\\ud83d\\ude00": 1, "\\ue000": 2, "e\\u0301": 3, "b": 4}')).toBe(
      '{"b":4,"e\u0301":3,"\ue000":2,"😀":1}',
    );
    expect(dumps('"e\\u0301"')).toBe('"e\u0301"');
  });

  it('sorts the keys of a big object too, its members and nested arrays in place', () => {
    const keys = Array.from({ length: 30 }, (_, i) => `k${String(29 - i).padStart(2, '0')}`);
    const text = `{${keys.map((key, i) => `"${key}":[${i},{"z":null,"a":"${key}"}]`).join(',')}}`;
    const expected = [...keys]
      .reverse()
      .map((key) => `"${key}":[${keys.indexOf(key)},{"a":"${key}","z":null}]`);
    expect(dumps(text)).toBe(`{${expected.join(',')}}`);
  });

  it('escapes strings like Python and keeps DEL, U+2028 and non-ASCII raw', () => {
    expect(dumps('"q\\"\\\\\\/\\n\\r\\t\\b\\f\\u0001\\u007f\\u2028é"')).toBe(
      '"q\\"\\\\/\\n\\r\\t\\b\\f\\u0001\x7f\u2028é"',
    );
  });

  it('keeps empty containers and nested structure', () => {
    expect(dumps('{"a": [], "b": {}, "c": [[null]]}')).toBe('{"a":[],"b":{},"c":[[null]]}');
  });

  it('accepts JsonNumbers built in code', () => {
    expect(pythonJsonDumps({ d: new JsonNumber('2.5'), n: new JsonNumber('7') })).toBe('{"d":2.5,"n":7}');
  });
});

describe('pyFloatRepr', () => {
  // Each expected text is CPython 3.11 repr(float).
  const cases: Array<[number, string]> = [
    [2.5, '2.5'],
    [5, '5.0'],
    [0.1, '0.1'],
    [1e-5, '1e-05'],
    [1e-4, '0.0001'],
    [1e16, '1e+16'],
    [1.5e16, '1.5e+16'],
    [1e15, '1000000000000000.0'],
    [123456789012345680, '1.2345678901234568e+17'],
    [-0, '-0.0'],
    [0, '0.0'],
    [5e-324, '5e-324'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [1e22, '1e+22'],
    [-1.25e-7, '-1.25e-07'],
    [0.30000000000000004, '0.30000000000000004'],
    [Number.POSITIVE_INFINITY, 'inf'],
    [Number.NEGATIVE_INFINITY, '-inf'],
    [Number.NaN, 'nan'],
  ];
  it.each(cases)('%d → %s', (x, text) => {
    expect(pyFloatRepr(x)).toBe(text);
  });
});
