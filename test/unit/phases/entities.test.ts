import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src/canonical/index.js';
import { entityPhase } from '../../../src/phases/entities.js';
import { expectRejectionSync, LENIENT, PACKAGE_ID, STRICT } from '../package/support.js';
import { entityJson, NPC_ID, ORG_ID, PLACE_ID, snapshotOf } from './support.js';

describe('entityPhase', () => {
  it('builds one record per entity with the normalised file hash and provenance', () => {
    const text = entityJson(NPC_ID, {
      traits: ['salty'],
      props: { age: 41 },
      extra: 'kept in the hash only',
    });
    const [record, ...rest] = entityPhase(snapshotOf({ entities: { 'entities/maren.json': text } }), LENIENT);
    expect(rest).toEqual([]);
    const hash = sha256Hex(text);
    expect(record).toMatchObject({
      kind: 'entity',
      stableId: NPC_ID,
      category: '',
      objectType: 'npc',
      contentHash: hash,
      fileHash: hash,
      sourcePath: 'entities/maren.json',
    });
    expect(Object.keys(record?.payload ?? {})).toEqual([
      'stable_id',
      'kind',
      'name',
      'tags',
      'affordances',
      'traits',
      'props',
      'provenance',
    ]);
    expect(record?.payload.provenance).toEqual({
      package_id: PACKAGE_ID,
      source_path: 'entities/maren.json',
      file_hash: hash,
    });
  });

  it('leaves traits and props out of the payload when the file has none, and replaces a provenance field', () => {
    const text = entityJson(NPC_ID, { provenance: { package_id: 'forged' } });
    const [record] = entityPhase(snapshotOf({ entities: { 'entities/a.json': text } }), LENIENT);
    expect(record?.payload).not.toHaveProperty('traits');
    expect(record?.payload).not.toHaveProperty('props');
    expect(record?.payload.provenance).toMatchObject({ package_id: PACKAGE_ID });
  });

  it('sorts by kind, then stable_id, then path (code point order)', () => {
    const records = entityPhase(
      snapshotOf({
        entities: {
          'entities/1.json': entityJson(PLACE_ID, { kind: 'location' }),
          'entities/2.json': entityJson(ORG_ID, { kind: 'npc' }),
          'entities/3.json': entityJson(NPC_ID, { kind: 'npc' }),
          'entities/4.json': entityJson('01JJV9SM460MAAJTAXJ9T8KSA4', { kind: 'creature' }),
        },
      }),
      LENIENT,
    );
    expect(records.map((r) => `${r.objectType}:${r.stableId}`)).toEqual([
      'creature:01JJV9SM460MAAJTAXJ9T8KSA4',
      `location:${PLACE_ID}`,
      `npc:${NPC_ID}`,
      `npc:${ORG_ID}`,
    ]);
  });

  it('hashes the text after newline and NFC normalisation', () => {
    const lf = entityJson(NPC_ID, { name: 'Caf\u00e9' });
    const crlfNfd = lf.replaceAll('\n', '\r\n').replace('\u00e9', 'e\u0301');
    const [record] = entityPhase(snapshotOf({ entities: { 'entities/a.json': crlfNfd } }), LENIENT);
    expect(record?.contentHash).toBe(sha256Hex(lf));
    expect(record?.payload.name).toBe('Caf\u00e9');
  });

  it('rejects a listed file whose normalised hash differs from content_index, naming both hashes', () => {
    const crlf = entityJson(NPC_ID).replaceAll('\n', '\r\n');
    const snapshot = snapshotOf({
      entities: { 'entities/a.json': crlf },
      contentIndex: { 'entities/a.json': sha256Hex(crlf) },
    });
    const error = expectRejectionSync(() => entityPhase(snapshot, LENIENT), 'entity', 'entity.hash_mismatch');
    expect(error.facts).toEqual({
      file: 'entities/a.json',
      stable_id: NPC_ID,
      expected_hash: sha256Hex(crlf),
      actual_hash: sha256Hex(entityJson(NPC_ID)),
    });
    expect(error.message).toContain(sha256Hex(crlf));
    expect(error.message).toContain(sha256Hex(entityJson(NPC_ID)));
  });

  it.each([
    ['a missing field', { affordances: undefined }, "missing required field 'affordances'"],
    ['a stable_id of 25 characters', { stable_id: NPC_ID.slice(1) }, 'invalid stable_id'],
    ['a numeric stable_id', { stable_id: 12345 }, 'invalid stable_id'],
    ['an unknown kind', { kind: 'vehicle' }, "invalid kind 'vehicle'"],
    ['a blank name', { name: ' \t\n' }, 'name'],
    ['a name of Python whitespace only (U+001C)', { name: '\u001c\u0085' }, 'name'],
    ['a non-string name', { name: 7 }, 'name'],
    ['tags that are not an array', { tags: 'a,b' }, "'tags'"],
    ['affordances that are not an array', { affordances: {} }, "'affordances'"],
  ])('rejects %s as entity.invalid', (_name, overrides, fragment) => {
    const snapshot = snapshotOf({ entities: { 'entities/bad.json': entityJson(NPC_ID, overrides) } });
    const error = expectRejectionSync(() => entityPhase(snapshot, LENIENT), 'entity', 'entity.invalid');
    expect(error.message).toContain('entities/bad.json');
    expect(error.message).toContain(fragment);
    // The facts name the file, and the entity by its stable_id whenever it has a string one.
    const id = 'stable_id' in overrides ? overrides.stable_id : NPC_ID;
    expect(error.facts).toEqual({
      file: 'entities/bad.json',
      ...(typeof id === 'string' ? { stable_id: id } : {}),
    });
  });

  it('counts stable_id length in code points and keeps a name that is only U+FEFF (Python does not strip it)', () => {
    const id = `${'0'.repeat(25)}\u{1F600}`;
    const records = entityPhase(
      snapshotOf({ entities: { 'entities/a.json': entityJson(id, { name: '\uFEFF' }) } }),
      LENIENT,
    );
    expect(records.map((r) => r.stableId)).toEqual([id]);
  });

  it('rejects a file that is not one JSON object', () => {
    const snapshot = snapshotOf({ entities: { 'entities/list.json': '[]' } });
    expectRejectionSync(() => entityPhase(snapshot, LENIENT), 'entity', 'entity.invalid');
  });

  it.each([
    ['invalid JSON', '{"stable_id": "x",}', 'line 1 column 19'],
    ['a byte order mark', `\uFEFF${entityJson(NPC_ID)}`, 'BOM'],
    ['deeply nested JSON', `${'['.repeat(100_000)}${']'.repeat(100_000)}`, 'entities/a.json'],
  ])('rejects %s as entity.parse', (_name, text, fragment) => {
    const snapshot = snapshotOf({ entities: { 'entities/a.json': text } });
    const error = expectRejectionSync(() => entityPhase(snapshot, LENIENT), 'entity', 'entity.parse');
    expect(error.message).toContain(fragment);
  });

  it('rejects invalid UTF-8 as entity.parse with the byte offset', () => {
    const snapshot = snapshotOf({
      entities: { 'entities/a.json': Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]) },
    });
    const error = expectRejectionSync(() => entityPhase(snapshot, LENIENT), 'entity', 'entity.parse');
    expect(error.facts.byte_offset).toBe(2);
  });

  it('reads a 10 MB single-line entity, and rejects a truncated one cleanly', () => {
    const big = entityJson(NPC_ID, { props: { blob: 'x'.repeat(10 * 1024 * 1024) } }).replaceAll('\n', '');
    const [record] = entityPhase(snapshotOf({ entities: { 'entities/big.json': big } }), LENIENT);
    expect(record?.contentHash).toBe(sha256Hex(big));
    const truncated = snapshotOf({ entities: { 'entities/big.json': big.slice(0, -1) } });
    expectRejectionSync(() => entityPhase(truncated, LENIENT), 'entity', 'entity.parse');
  });

  it('drops an identical duplicate (same normalised hash) and keeps the first in sorted order', () => {
    const text = entityJson(NPC_ID);
    const records = entityPhase(
      snapshotOf({ entities: { 'entities/b.json': text, 'entities/a.json': text.replaceAll('\n', '\r\n') } }),
      LENIENT,
    );
    expect(records).toHaveLength(1);
    expect(records[0]?.sourcePath).toBe('entities/a.json');
  });

  it('rejects the same stable_id with different content, naming both files and both hashes', () => {
    const first = entityJson(NPC_ID);
    const second = entityJson(NPC_ID, { name: 'Maren Vell' });
    const snapshot = snapshotOf({ entities: { 'entities/a.json': first, 'entities/b.json': second } });
    const error = expectRejectionSync(() => entityPhase(snapshot, LENIENT), 'entity', 'entity.collision');
    expect(error.facts).toEqual({
      stable_id: NPC_ID,
      file: 'entities/b.json',
      actual_hash: sha256Hex(second),
      existing_file: 'entities/a.json',
      existing_hash: sha256Hex(first),
    });
    for (const part of ['entities/a.json', 'entities/b.json', sha256Hex(first), sha256Hex(second), NPC_ID]) {
      expect(error.message).toContain(part);
    }
  });

  it('keeps extra fields and non-Crockford ids in the default mode but not in strict mode', () => {
    const extra = snapshotOf({ entities: { 'entities/a.json': entityJson(NPC_ID, { colour: 'teal' }) } });
    expect(entityPhase(extra, LENIENT)).toHaveLength(1);
    const error = expectRejectionSync(() => entityPhase(extra, STRICT), 'entity', 'entity.schema');
    expect(error.facts).toMatchObject({ pointer: '/', rule: 'additionalProperties' });

    const fakeId = snapshotOf({ entities: { 'entities/a.json': entityJson('01JA6Z7F8LOC00000000000000') } });
    expect(entityPhase(fakeId, LENIENT)).toHaveLength(1);
    expectRejectionSync(() => entityPhase(fakeId, STRICT), 'entity', 'entity.invalid_id');
  });

  it('rejects duplicate tags (uniqueItems) and a duplicate JSON key only in strict mode', () => {
    const dupTags = snapshotOf({ entities: { 'entities/a.json': entityJson(NPC_ID, { tags: ['a', 'a'] }) } });
    expect(entityPhase(dupTags, LENIENT)).toHaveLength(1);
    expectRejectionSync(() => entityPhase(dupTags, STRICT), 'entity', 'entity.schema');

    const dupKey = snapshotOf({
      entities: { 'entities/a.json': entityJson(NPC_ID).replace('"name"', '"name": "Old", "name"') },
    });
    expect(entityPhase(dupKey, LENIENT)[0]?.payload.name).toBe('Maren');
    const error = expectRejectionSync(() => entityPhase(dupKey, STRICT), 'entity', 'entity.duplicate_key');
    expect(error.facts.key).toBe('name');
  });
});
