import { describe, expect, it } from 'vitest';
import { parseJson } from '../../../src/canonical/index.js';
import { jsonEquals } from '../../../src/ledger/json-equals.js';
import { printsAsJsonb } from '../../../src/ledger/jsonb-text.js';

const prints = (text: string, canonical: string) => printsAsJsonb(text, parseJson(canonical));

describe('printsAsJsonb (the fast path of the projection payload check)', () => {
  it("matches PostgreSQL's jsonb text of a canonical payload", () => {
    const canonical =
      '{"affordances":[],"kind":"creature","name":"Gull Crabs","props":{"count":492,"dangerous":false,"x":null},"tags":["ruin","omen"]}';
    const jsonb =
      '{"kind": "creature", "name": "Gull Crabs", "tags": ["ruin", "omen"], "props": {"x": null, "count": 492, "dangerous": false}, "affordances": []}';
    expect(prints(jsonb, canonical)).toBe(true);
    expect(prints('{}', '{}')).toBe(true);
    expect(prints('[]', '[]')).toBe(true);
    expect(prints('"a"', '"a"')).toBe(true);
  });

  it('matches escaped and non-ASCII strings as PostgreSQL prints them', () => {
    expect(
      prints(
        '{"a": "line\\nnext \\"q\\" back\\\\slash \\u0001 café"}',
        '{"a":"line\\nnext \\"q\\" back\\\\slash \\u0001 café"}',
      ),
    ).toBe(true);
    expect(prints('{"a": "line\nnext"}', '{"a":"line\\nnext"}')).toBe(false);
  });

  it('does not match what differs, or is merely equal in value', () => {
    expect(prints('{"a": 1}', '{"a":2}')).toBe(false);
    expect(prints('{"a": 12}', '{"a":1}')).toBe(false);
    expect(prints('{"a": 1.0}', '{"a":1}')).toBe(false);
    expect(prints('{"a": 1}', '{"a":1,"b":1}')).toBe(false);
    expect(prints('{"a": 1, "b": 1}', '{"a":1}')).toBe(false);
    expect(prints('{"a": 1, "a": 1}', '{"a":1,"b":1}')).toBe(false);
    expect(prints('{"b": 1, "a": 1}', '{"a":1,"b":1}')).toBe(false);
    expect(prints('{"a": "x"} ', '{"a":"x"}')).toBe(false);
    expect(prints('{"a": "x"', '{"a":"x"}')).toBe(false);
    expect(prints('{"a": ["x"]}', '{"a":"x"}')).toBe(false);
    expect(prints('{"a":1}', '{"a":1}')).toBe(false);
  });

  it('only matches texts that are equal documents', () => {
    const values = [
      '{"a":1,"bb":[true,null,"x\\ty"],"c":{"d":"é"}}',
      '{"n":1e2}',
      '[1,[2,[3]]]',
      '"\\ud800"',
    ];
    const texts = [
      '{"a": 1, "c": {"d": "é"}, "bb": [true, null, "x\\ty"]}',
      '{"n": 1e2}',
      '{"n": 100}',
      '[1, [2, [3]]]',
      '"\\ud800"',
    ];
    for (const value of values) {
      for (const text of texts) {
        if (prints(text, value)) expect(jsonEquals(parseJson(text), parseJson(value))).toBe(true);
      }
    }
  });
});
