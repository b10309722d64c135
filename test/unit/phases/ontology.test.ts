import { describe, expect, it } from 'vitest';
import { canonicalHashHex, sha256Hex } from '../../../src/canonical/index.js';
import { ontologyPhase } from '../../../src/phases/ontology.js';
import { expectRejectionSync, LENIENT, PACKAGE_ID, STRICT } from '../package/support.js';
import { snapshotOf } from './support.js';

function tag(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    tag_id: 'action.attack',
    category: 'action',
    slug: 'attack',
    display_name: 'Attack',
    synonyms: ['attack', 'strike'],
    audience: ['player', 'gm'],
    gating: { ruleset_version: 'v2.7', requires_feature: null },
    ...overrides,
  };
}

function affordance(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    affordance_id: 'affordance.combat.strike',
    category: 'combat',
    slug: 'strike',
    applies_to: ['tag:action.attack'],
    gating: { audience: 'player', ruleset_version: 'v2.7' },
    ...overrides,
  };
}

const file = (content: unknown): string => `${JSON.stringify(content, null, 2)}\n`;
const run = (files: Record<string, unknown>, options = LENIENT) =>
  ontologyPhase(
    snapshotOf({
      ontology: Object.fromEntries(
        Object.entries(files).map(([p, c]) => [p, typeof c === 'string' ? c : file(c)]),
      ),
    }),
    options,
  );
const reject = (files: Record<string, unknown>, code: string) =>
  expectRejectionSync(() => run(files), 'ontology', code);

describe('ontologyPhase', () => {
  it('gives tags then affordances in file order, each with its whole file’s normalised hash', () => {
    const a = file({
      version: '1',
      tags: [tag({ tag_id: 'target.door', category: 'target', slug: 'door' }), tag()],
      affordances: [affordance()],
    });
    const b = file({ tags: [tag({ tag_id: 'action.aaa', slug: 'aaa' })] });
    const { records, warnings } = run({ 'ontology/a.json': a, 'ontology/b.json': b });
    expect(records.map((r) => `${r.kind}:${r.stableId}`)).toEqual([
      'tag:target.door',
      'tag:action.attack',
      'tag:action.aaa',
      'affordance:affordance.combat.strike',
    ]);
    expect(records[0]).toMatchObject({
      category: 'target',
      objectType: 'tag',
      contentHash: sha256Hex(a),
      fileHash: sha256Hex(a),
      sourcePath: 'ontology/a.json',
    });
    expect(records[2]).toMatchObject({ contentHash: sha256Hex(b), sourcePath: 'ontology/b.json' });
    expect(records[3]).toMatchObject({ kind: 'affordance', category: 'combat', objectType: 'affordance' });
    expect(warnings).toEqual([]);
  });

  it('builds tag and affordance payloads with version 1.0.0 and provenance', () => {
    const text = file({ tags: [tag({ metadata: { description: 'Hit it.' } })], affordances: [affordance()] });
    const [t, a] = run({ 'ontology/x.json': text }).records;
    const provenance = { package_id: PACKAGE_ID, source_path: 'ontology/x.json', file_hash: sha256Hex(text) };
    expect(t?.payload).toEqual({
      tag_id: 'action.attack',
      category: 'action',
      version: '1.0.0',
      slug: 'attack',
      display_name: 'Attack',
      synonyms: ['attack', 'strike'],
      audience: ['player', 'gm'],
      gating: { ruleset_version: 'v2.7', requires_feature: null },
      metadata: { description: 'Hit it.' },
      provenance,
    });
    expect(Object.keys(a?.payload ?? {})).toEqual([
      'affordance_id',
      'category',
      'version',
      'slug',
      'applies_to',
      'gating',
      'provenance',
    ]);
  });

  it('normalises slugs and synonyms like Python str(x).lower() before the schema check', () => {
    const { records } = run({
      'ontology/x.json': {
        tags: [
          tag({ slug: 'Power_Attack', synonyms: ['STRIKE', true, null, 12, 1.5] }),
          tag({ tag_id: 'action.none', slug: null, synonyms: [['A', "it's"]] }),
        ],
      },
    });
    expect(records[0]?.payload).toMatchObject({
      slug: 'power-attack',
      synonyms: ['strike', 'true', 'none', '12', '1.5'],
    });
    expect(records[1]?.payload).toMatchObject({ slug: 'none', synonyms: [`['a', "it's"]`] });
  });

  it('rejects a missing field and a schema violation as ontology.invalid, naming the file and the rule', () => {
    const missing = reject({ 'ontology/x.json': { tags: [tag({ gating: undefined })] } }, 'ontology.invalid');
    expect(missing.message).toContain("missing required field 'gating'");
    expect(missing.message).toContain('ontology/x.json');
    const enumError = reject(
      { 'ontology/x.json': { tags: [tag({ category: 'weapon' })] } },
      'ontology.invalid',
    );
    expect(enumError.facts).toMatchObject({ pointer: '/category', rule: 'enum', stable_id: 'action.attack' });
    const afford = reject(
      { 'ontology/x.json': { affordances: [affordance({ applies_to: ['npc:bob'] })] } },
      'ontology.invalid',
    );
    expect(afford.facts.pointer).toBe('/applies_to/0');
  });

  it('rejects a slug that stays invalid after normalisation and synonyms that collide after lower-casing', () => {
    reject({ 'ontology/x.json': { tags: [tag({ slug: '9lives' })] } }, 'ontology.invalid');
    reject({ 'ontology/x.json': { tags: [tag({ synonyms: ['Strike', 'strike'] })] } }, 'ontology.invalid');
  });

  it('rejects files and items of the wrong shape cleanly', () => {
    reject({ 'ontology/x.json': '[]' }, 'ontology.invalid');
    reject({ 'ontology/x.json': { tags: 'action.attack' } }, 'ontology.invalid');
    reject({ 'ontology/x.json': { tags: [7] } }, 'ontology.invalid');
    expect(run({ 'ontology/x.json': { tags: {}, affordances: '' } }).records).toEqual([]);
  });

  it('rejects invalid JSON as ontology.parse', () => {
    reject({ 'ontology/x.json': '{"tags": [}' }, 'ontology.parse');
  });

  it('drops identical duplicates (null equals absent) and keeps one id in two categories', () => {
    const { records } = run({
      'ontology/a.json': { tags: [tag()] },
      'ontology/b.json': {
        tags: [tag({ gating: { ruleset_version: 'v2.7' } }), tag({ category: 'interaction' })],
      },
    });
    expect(records.map((r) => `${r.stableId}/${r.category}/${r.sourcePath}`)).toEqual([
      'action.attack/action/ontology/a.json',
      'action.attack/interaction/ontology/b.json',
    ]);
  });

  it('rejects a conflicting definition with both files and both content hashes', () => {
    const changed = tag({ display_name: 'Strike' });
    const error = reject(
      { 'ontology/a.json': { tags: [tag()] }, 'ontology/b.json': { tags: [changed] } },
      'ontology.conflict',
    );
    expect(error.facts).toEqual({
      stable_id: 'action.attack',
      category: 'action',
      file: 'ontology/b.json',
      actual_hash: canonicalHashHex(changed),
      existing_file: 'ontology/a.json',
      existing_hash: canonicalHashHex(tag()),
    });
    reject(
      { 'ontology/a.json': { affordances: [affordance(), affordance({ slug: 'hit' })] } },
      'ontology.conflict',
    );
  });

  it('checks every file before looking for conflicts (a later invalid item wins over an earlier conflict)', () => {
    reject(
      {
        'ontology/a.json': { tags: [tag(), tag({ display_name: 'Other' })] },
        'ontology/b.json': { tags: [tag({ category: 'x' })] },
      },
      'ontology.invalid',
    );
  });

  it('rejects content that canonical JSON cannot hash (a fractional number in metadata)', () => {
    const error = reject(
      { 'ontology/a.json': { tags: [tag({ metadata: { weight: 0.5 } })] } },
      'ontology.invalid',
    );
    expect(error.message).toContain('canonicalised');
  });

  it('warns about affordances that apply to undefined tags', () => {
    const { warnings } = run({
      'ontology/a.json': {
        affordances: [affordance({ applies_to: ['tag:action.kick', `entity:${'0'.repeat(26)}`] })],
      },
    });
    expect(warnings).toEqual([
      'ontology/a.json: affordance affordance.combat.strike applies to tag action.kick, which the package does not define',
    ]);
  });

  it('rejects duplicate JSON keys only in strict mode', () => {
    const text = file({ tags: [tag()] }).replace('"display_name"', '"display_name": "X", "display_name"');
    expect(run({ 'ontology/a.json': text }).records).toHaveLength(1);
    expectRejectionSync(() => run({ 'ontology/a.json': text }, STRICT), 'ontology', 'ontology.duplicate_key');
  });
});
