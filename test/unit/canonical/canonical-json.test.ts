import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CanonicalJsonError,
  canonicalHashHex,
  canonicalJson,
  canonicalJsonBytes,
  JsonNumber,
  parseJson,
  sha256Hex,
} from '../../../src/canonical/index.js';
import { HAS_REFERENCE, REFERENCE_DIR, SKIP_REFERENCE_MESSAGE } from './reference-dir.js';

const n = (text: string): JsonNumber => new JsonNumber(text);

describe('canonicalJson: NOTES §3 vectors', () => {
  it('writes {} for a top-level null or undefined', () => {
    expect(canonicalJson(null)).toBe('{}');
    expect(canonicalJson(undefined)).toBe('{}');
  });

  it('drops nulls from objects, keeps them in arrays, keeps empty containers', () => {
    expect(canonicalJson({ b: 1, a: [null, { x: null }], c: {} })).toBe('{"a":[null,{}],"b":1,"c":{}}');
  });

  it('treats undefined like null: absent in objects, null in arrays', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, 1] })).toBe('{"b":[null,1]}');
  });

  it('sorts keys by code point: U+E000 before U+1F600', () => {
    expect(canonicalJson({ '\u{1F600}': 2, '\ue000': 1 })).toBe('{"\ue000":1,"😀":2}');
    expect(canonicalJson({ '\ue000': 1, '\u{1F600}': 2 })).toBe('{"\ue000":1,"😀":2}');
  });

  it('turns integral floats into ints', () => {
    expect(canonicalJson({ f: 5.0, z: -0.0 })).toBe('{"f":5,"z":0}');
    expect(canonicalJson({ f: n('5.0'), z: n('-0.0'), h: n('1e2'), m: n('-0') })).toBe(
      '{"f":5,"h":100,"m":0,"z":0}',
    );
  });

  it('escapes like Python json.dumps (ensure_ascii=False)', () => {
    const input = { s: 'line\nbreak\t"q" \\ \x01 \x7f \u2028 é' };
    expect(canonicalJson(input)).toBe('{"s":"line\\nbreak\\t\\"q\\" \\\\ \\u0001 \x7f \u2028 é"}');
    expect(canonicalJson(['\b\f\r\x1f\x00'])).toBe('["\\b\\f\\r\\u001f\\u0000"]');
  });

  it('NFC-normalises keys and values; the later key wins after the collapse', () => {
    expect(canonicalJson({ 'e\u0301': 1, '\u00e9': 2 })).toBe('{"é":2}');
    expect(canonicalJson({ '\u00e9': 2, 'e\u0301': 1 })).toBe('{"é":1}');
    expect(canonicalJson({ k: 'cafe\u0301' })).toBe('{"k":"café"}');
  });

  it('orders many keys by code point: U+E000 before astral characters (UTF-16 order is the other way)', () => {
    const names = Array.from({ length: 30 }, (_, i) => `k${String(29 - i).padStart(2, '0')}`);
    const object = Object.fromEntries([...names, '\ue000', '\u{1F600}'].map((key) => [key, key]));
    const expected = [...names].reverse().map((key) => `"${key}":"${key}"`);
    expect(canonicalJson(object)).toBe(`{${expected.join(',')},"\ue000":"\ue000","\u{1F600}":"\u{1F600}"}`);
    expect(canonicalJson({ '\ue000': 1, '\u{1F600}': 2, 'e\u0301': 3, a: 4 })).toBe(
      '{"a":4,"é":3,"\ue000":1,"\u{1F600}":2}',
    );
  });

  it('drops a null member before the NFC collapse, so it cannot erase the other key', () => {
    expect(canonicalJson({ 'e\u0301': 1, '\u00e9': null })).toBe('{"é":1}');
  });

  it('applies NFC to the whole output once more (an escape letter can compose with a combining mark)', () => {
    // Python writes `\n` then U+0301; the final NFC pass turns `n` + U+0301 into U+0144.
    expect(canonicalJson({ s: '\n\u0301' })).toBe('{"s":"\\\u0144"}');
  });

  it('keeps int64 extremes exact and rejects values outside int64', () => {
    expect(canonicalJson({ max: n('9223372036854775807'), min: n('-9223372036854775808') })).toBe(
      '{"max":9223372036854775807,"min":-9223372036854775808}',
    );
    expect(canonicalJson({ b: 2n ** 63n - 1n })).toBe('{"b":9223372036854775807}');
    expect(() => canonicalJson({ v: n('9223372036854775808') })).toThrow(
      'Integer 9223372036854775808 outside signed 64-bit range',
    );
    expect(() => canonicalJson({ v: -(2n ** 63n) - 1n })).toThrow(CanonicalJsonError);
    expect(() => canonicalJson({ v: n('1e20') })).toThrow(
      'Integer 100000000000000000000 outside signed 64-bit',
    );
    expect(() => canonicalJson({ v: 2 ** 63 })).toThrow('Integer 9223372036854775808 outside');
  });

  it('rejects non-integral floats, NaN and Infinity', () => {
    expect(() => canonicalJson({ v: 2.5 })).toThrow('Float values not permitted in canonical JSON: 2.5.');
    expect(() => canonicalJson({ v: n('0.1') })).toThrow(
      'Float values not permitted in canonical JSON: 0.1.',
    );
    expect(() => canonicalJson({ v: n('1e-5') })).toThrow('canonical JSON: 1e-05.');
    expect(() => canonicalJson({ v: Number.NaN })).toThrow('NaN values not permitted');
    expect(() => canonicalJson({ v: n('NaN') })).toThrow('NaN values not permitted');
    expect(() => canonicalJson({ v: n('Infinity') })).toThrow('Infinity values not permitted');
    expect(() => canonicalJson({ v: n('-Infinity') })).toThrow('Infinity values not permitted');
    expect(() => canonicalJson({ v: n('1e400') })).toThrow('Infinity values not permitted');
    expect(() => canonicalJson([Number.NEGATIVE_INFINITY])).toThrow(CanonicalJsonError);
  });

  it('turns a float that underflows to zero into 0 (Python float("1e-400") is 0.0)', () => {
    expect(canonicalJson({ v: n('1e-400'), w: n('-1e-400') })).toBe('{"v":0,"w":0}');
  });

  it('rejects lone surrogates in strings and keys', () => {
    expect(() => canonicalJson({ s: 'a\ud800b' })).toThrow('Lone surrogate U+D800 at index 1');
    expect(() => canonicalJson({ '\udc00': 1 })).toThrow(CanonicalJsonError);
    expect(canonicalJson({ s: '\ud83d\ude00' })).toBe('{"s":"😀"}');
  });

  it('rejects unsupported types', () => {
    expect(() => canonicalJson({ d: new Date(0) })).toThrow('Unsupported type Date in canonical JSON');
    expect(() => canonicalJson({ f: () => 1 })).toThrow('Unsupported type function');
    expect(() => canonicalJson({ m: new Map() })).toThrow(CanonicalJsonError);
  });

  it('accepts top-level arrays and scalars like the reference', () => {
    expect(canonicalJson([1, 'a', true])).toBe('[1,"a",true]');
    expect(canonicalJson('x')).toBe('"x"');
  });

  it('treats __proto__ as an ordinary key', () => {
    const parsed = parseJson('{"__proto__":{"x":1},"a":2}');
    expect(canonicalJson(parsed)).toBe('{"__proto__":{"x":1},"a":2}');
  });

  it('gives an error, not a crash, for very deep or cyclic input', () => {
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(() => canonicalJson(deep)).toThrow('Nesting deeper than 512 levels');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(CanonicalJsonError);
  });

  it('hashes {"state_components":[]} to the empty-digest vector', () => {
    expect(canonicalHashHex({ state_components: [] })).toBe(
      '8f000705473c8e83a3628bee6278303de5052e3860cfc2a9f1a547aaab16f63a',
    );
  });

  it('reproduces the happy-path state digest from its seven components', () => {
    const component = (phase: string, stable_id: string, content_hash: string) => ({
      phase,
      stable_id,
      content_hash,
    });
    const digest = canonicalHashHex({
      state_components: [
        component(
          'edge',
          '01JA6Z7F8EDGE0000000000000',
          'b9594277522f86a9b88c15e9ae4eb122490973d82e45714f474c8bc2825c5173',
        ),
        component(
          'entity',
          '01JA6Z7F8LOC00000000000000',
          '9e9d041f301e7120320c9605028fad70f8481bd978f6b4b6838f73df71eebd36',
        ),
        component(
          'entity',
          '01JA6Z7F8NPC00000000000000',
          '7d478136a27ad013caa5a225cbc4629998bb38b29c133b5c11a87803ceb7a1e6',
        ),
        component(
          'lore',
          'INTRO_CHUNK-000',
          '12786ffe0f3009b3c61c5843e3a20905c8048b22cf82993f9f194daf000d7701',
        ),
        component(
          'manifest',
          '01JAR9WYH41R8TFM6Z0X5E7QKJ',
          '1ebddf6629745cb0c5ebc2db2a77f9c8769e80eeed5255f4cd6e98977768e366',
        ),
        component(
          'ontology.affordance',
          'affordance.interaction.greet',
          '534c01affa0e98466e2817389189dd3d1cd0ee65982c89d093d47f35b7190977',
        ),
        component(
          'ontology.tag',
          'lore.intro',
          '534c01affa0e98466e2817389189dd3d1cd0ee65982c89d093d47f35b7190977',
        ),
      ],
    });
    expect(digest).toBe('4b621073dd1e5715b8a7d7518e8b0fa41929e012562a4b8a440b7303695d5e59');
  });

  it('returns UTF-8 bytes', () => {
    expect(canonicalJsonBytes({ k: 'é' })).toEqual(Buffer.from('{"k":"é"}', 'utf8'));
  });
});

describe("canonicalJson floats: 'python-repr'", () => {
  const opts = { floats: 'python-repr' } as const;

  it('writes finite non-integral floats as Python repr', () => {
    expect(canonicalJson({ distance: 2.5 }, opts)).toBe('{"distance":2.5}');
    expect(canonicalJson([0.1, 1e-5, 1.5e16, n('0.1'), n('1e-05'), n('-2.50')], opts)).toBe(
      '[0.1,1e-05,15000000000000000,0.1,1e-05,-2.5]',
    );
  });

  it('still turns integral floats into ints and rejects NaN/Infinity', () => {
    expect(canonicalJson({ v: 5.0, w: n('1e2') }, opts)).toBe('{"v":5,"w":100}');
    expect(() => canonicalJson({ v: Number.NaN }, opts)).toThrow('NaN values not permitted');
    expect(() => canonicalJson({ v: n('Infinity') }, opts)).toThrow('Infinity values not permitted');
  });
});

describe('canonicalJson: golden files', () => {
  const dir = join(REFERENCE_DIR, 'fixtures/tests/golden/canonical_json');
  if (!HAS_REFERENCE) {
    it.skip(`golden canonical_json files (${SKIP_REFERENCE_MESSAGE})`, () => {});
    return;
  }
  const names = readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();

  it('has all 10 golden cases', () => {
    expect(names).toHaveLength(10);
  });

  it.each(names)('%s matches the expected bytes and hash', (name) => {
    const input = parseJson(readFileSync(join(dir, `${name}.json`), 'utf8'));
    const expectedBytes = readFileSync(join(dir, `${name}.canonical`));
    const expectedHash = readFileSync(join(dir, `${name}.sha256`), 'utf8').trim();
    const bytes = canonicalJsonBytes(input);
    expect(bytes.toString('utf8')).toBe(expectedBytes.toString('utf8'));
    expect(sha256Hex(bytes)).toBe(expectedHash);
    expect(canonicalHashHex(input)).toBe(expectedHash);
  });

  it('hashes the happy-path manifest to its reference manifest hash', () => {
    const manifestPath = join(
      REFERENCE_DIR,
      'fixtures/tests/fixtures/import/manifest/happy-path/package.manifest.json',
    );
    const manifest = parseJson(readFileSync(manifestPath, 'utf8'));
    expect(canonicalHashHex(manifest)).toBe(
      '1ebddf6629745cb0c5ebc2db2a77f9c8769e80eeed5255f4cd6e98977768e366',
    );
  });
});

describe('canonicalJson speed', () => {
  it('writes a ~400-byte payload in well under 50 µs on average', () => {
    const payload = {
      event_type: 'seed.entity.created',
      stable_id: '01JA6Z7F8NPC00000000000000',
      kind: 'npc',
      name: 'Captain Élodie Marrow',
      tags: ['harbour', 'npc.captain', 'faction.guild'],
      affordances: ['talk', 'trade'],
      traits: { courage: 7, cunning: 9, notes: null },
      provenance: {
        package_id: '01JAR9WYH41R8TFM6Z0X5E7QKJ',
        source_path: 'entities/npc.json',
        file_hash: '7d478136a27ad013caa5a225cbc4629998bb38b29c133b5c11a87803ceb7a1e6',
      },
    };
    expect(canonicalJson(payload).length).toBeGreaterThan(350);
    for (let i = 0; i < 2_000; i++) canonicalJson(payload);
    const rounds = 20_000;
    const start = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) canonicalJson(payload);
    const microseconds = Number(process.hrtime.bigint() - start) / 1000 / rounds;
    // Budget, not a benchmark: the target is ~5 µs; a generous bound keeps this stable on slow CI.
    expect(microseconds).toBeLessThan(50);
  });
});
