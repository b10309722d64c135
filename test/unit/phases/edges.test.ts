import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src/canonical/index.js';
import { edgePhase } from '../../../src/phases/edges.js';
import { entityPhase } from '../../../src/phases/entities.js';
import type { PhaseRecord } from '../../../src/phases/types.js';
import { expectRejectionSync, LENIENT, PACKAGE_ID, STRICT } from '../package/support.js';
import { entityJson, NPC_ID, ORG_ID, PLACE_ID, type SnapshotSpec, snapshotOf } from './support.js';

const ENTITIES = {
  'entities/npc.json': entityJson(NPC_ID),
  'entities/place.json': entityJson(PLACE_ID, { kind: 'location' }),
  'entities/org.json': entityJson(ORG_ID, { kind: 'organization' }),
};
const EDGE_ID = '01JJAE8T78G4EXDVGT4X5V2NN1';
const START = '01JJAE8T78G4EXDVGT4X5V2AAA';

function edge(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    stable_id: EDGE_ID,
    type: 'npc.resides_in.location',
    src_ref: NPC_ID,
    dst_ref: PLACE_ID,
    attributes: { relationship_context: 'lodger' },
    ...overrides,
  };
}

function run(
  edges: Record<string, unknown>,
  spec: Partial<SnapshotSpec> = {},
  options = LENIENT,
): PhaseRecord[] {
  const files = Object.fromEntries(
    Object.entries(edges).map(([path, value]) => [
      path,
      typeof value === 'string' ? value : JSON.stringify(value, null, 2),
    ]),
  );
  const snapshot = snapshotOf({ entities: ENTITIES, edges: files, ...spec });
  return edgePhase(snapshot, entityPhase(snapshot, options), options);
}

const reject = (edges: Record<string, unknown>, code: string, options = LENIENT) =>
  expectRejectionSync(() => run(edges, {}, options), 'edge', code);

describe('edgePhase', () => {
  it('hashes each record as Python json.dumps(sort_keys, compact) and addresses it as file#index', () => {
    const records = run({
      'edges/one.json': [
        edge(),
        edge({
          stable_id: '01JJAE8T78G4EXDVGT4X5V2NN2',
          attributes: { relationship_context: 'x', weight: 2.5 },
        }),
      ],
    });
    const first = `{"attributes":{"relationship_context":"lodger"},"dst_ref":"${PLACE_ID}","src_ref":"${NPC_ID}","stable_id":"${EDGE_ID}","type":"npc.resides_in.location"}`;
    expect(records[0]).toMatchObject({
      kind: 'edge',
      stableId: EDGE_ID,
      objectType: 'npc.resides_in.location',
      sourcePath: 'edges/one.json#0',
      contentHash: sha256Hex(first),
      fileHash: sha256Hex(first),
    });
    expect(records[1]?.sourcePath).toBe('edges/one.json#1');
    expect(records[1]?.contentHash).toBe(
      sha256Hex(
        `{"attributes":{"relationship_context":"x","weight":2.5},"dst_ref":"${PLACE_ID}","src_ref":"${NPC_ID}","stable_id":"01JJAE8T78G4EXDVGT4X5V2NN2","type":"npc.resides_in.location"}`,
      ),
    );
  });

  it('keeps nulls in the record hash (validity: null) and the python form of numbers', () => {
    const record = {
      stable_id: EDGE_ID,
      type: 'adjacent_to',
      src_ref: NPC_ID,
      dst_ref: NPC_ID,
      validity: null,
    };
    const [result] = run({
      'edges/adj.json':
        '{"stable_id":"01JJAE8T78G4EXDVGT4X5V2NN1","type":"adjacent_to","src_ref":"01JJV9SM460MAAJTAXJ9T8KSA1","dst_ref":"01JJV9SM460MAAJTAXJ9T8KSA1","validity":null,"attributes":{"distance":1E2}}',
    });
    expect(result?.contentHash).toBe(
      sha256Hex(
        `{"attributes":{"distance":100.0},"dst_ref":"${record.dst_ref}","src_ref":"${record.src_ref}","stable_id":"${EDGE_ID}","type":"adjacent_to","validity":null}`,
      ),
    );
  });

  it('builds the payload: attributes default {}, validity only when not null, annotations when present', () => {
    const [adjacent, resides] = run({
      'edges/a.json': [
        { stable_id: EDGE_ID, type: 'adjacent_to', src_ref: NPC_ID, dst_ref: PLACE_ID, validity: null },
        edge({
          stable_id: '01JJAE8T78G4EXDVGT4X5V2NN2',
          annotations: { note: 'n' },
          validity: { start_event_id: START, end_event_id: null },
        }),
      ],
    });
    expect(adjacent?.payload).toEqual({
      stable_id: EDGE_ID,
      type: 'adjacent_to',
      src_ref: NPC_ID,
      dst_ref: PLACE_ID,
      attributes: {},
      provenance: { package_id: PACKAGE_ID, source_path: 'edges/a.json#0', file_hash: adjacent?.contentHash },
    });
    expect(Object.keys(resides?.payload ?? {})).toEqual([
      'stable_id',
      'type',
      'src_ref',
      'dst_ref',
      'attributes',
      'validity',
      'annotations',
      'provenance',
    ]);
  });

  it('sorts by type, src_ref, dst_ref, then source path', () => {
    const records = run({
      'edges/a.json': [
        edge({ stable_id: 'E1'.padEnd(26, '0'), src_ref: NPC_ID, dst_ref: PLACE_ID }),
        { stable_id: 'E2'.padEnd(26, '0'), type: 'adjacent_to', src_ref: PLACE_ID, dst_ref: NPC_ID },
        { stable_id: 'E3'.padEnd(26, '0'), type: 'adjacent_to', src_ref: NPC_ID, dst_ref: PLACE_ID },
      ],
      'edges/b.json': {
        stable_id: 'E4'.padEnd(26, '0'),
        type: 'adjacent_to',
        src_ref: NPC_ID,
        dst_ref: PLACE_ID,
      },
    });
    expect(records.map((r) => r.sourcePath)).toEqual([
      'edges/a.json#2',
      'edges/b.json#0',
      'edges/a.json#1',
      'edges/a.json#0',
    ]);
  });

  it.each([
    ['an unknown type', edge({ type: 'npc.owns.item' }), 'npc.owns.item'],
    ['the taxonomy metadata key $id as a type', edge({ type: '$id' }), '$id'],
    ['a non-string type', edge({ type: ['adjacent_to'] }), 'unsupported edge type'],
    ['a missing required attribute', edge({ attributes: {} }), "'relationship_context'"],
    ['attributes missing where some are required', edge({ attributes: undefined }), "'relationship_context'"],
    ['null attributes where some are required', edge({ attributes: null }), "'relationship_context'"],
    [
      'missing validity where the type needs it',
      edge({
        type: 'organization.controls.location',
        src_ref: ORG_ID,
        attributes: { charter_clause: 'c', oversight: 'o' },
      }),
      'validity',
    ],
    [
      'empty validity where the type needs it',
      edge({
        type: 'organization.controls.location',
        src_ref: ORG_ID,
        attributes: { charter_clause: 'c', oversight: 'o' },
        validity: {},
      }),
      'validity',
    ],
    ['validity without start_event_id', edge({ validity: { end_event_id: START } }), 'start_event_id'],
    ['validity that is not an object', edge({ validity: 'always' }), 'validity'],
    [
      'end_event_id before start_event_id',
      edge({ validity: { start_event_id: START, end_event_id: '01JJAE8T78G4EXDVGT4X5V2AA0' } }),
      'must not precede',
    ],
    ['a non-string reference', edge({ dst_ref: 42 }), 'dst_ref'],
    ['a missing stable_id', edge({ stable_id: undefined }), 'stable_id'],
    ['an empty stable_id', edge({ stable_id: '' }), 'stable_id'],
  ])('rejects %s as edge.invalid', (_name, record, fragment) => {
    const error = reject({ 'edges/x.json': [record] }, 'edge.invalid');
    expect(error.message).toContain('edges/x.json#0');
    expect(error.message).toContain(fragment);
  });

  it('rejects a file that is neither an object nor an array, and a non-object entry', () => {
    reject({ 'edges/x.json': '"edge"' }, 'edge.invalid');
    const error = reject({ 'edges/x.json': [edge(), 7] }, 'edge.invalid');
    expect(error.facts.file).toBe('edges/x.json#1');
  });

  it('accepts an open-ended validity and leaves missing or empty references unchecked', () => {
    const records = run({
      'edges/x.json': [
        edge({ validity: { start_event_id: START, end_event_id: null } }),
        {
          stable_id: '01JJAE8T78G4EXDVGT4X5V2NN2',
          type: 'adjacent_to',
          src_ref: '',
          attributes: { anything: true },
        },
      ],
    });
    expect(records).toHaveLength(2);
  });

  it('rejects references to entities the package does not define', () => {
    const missing = '01JJV9SM460MAAJTAXJ9T8KSZZ';
    const error = reject(
      { 'edges/x.json': edge({ src_ref: missing, dst_ref: missing }) },
      'edge.dangling_reference',
    );
    expect(error.facts).toMatchObject({
      file: 'edges/x.json#0',
      stable_id: EDGE_ID,
      missing_refs: [missing, missing],
    });
    expect(error.message).toContain(missing);
  });

  it('drops an identical duplicate and rejects a different one, naming both records and hashes', () => {
    expect(run({ 'edges/a.json': edge(), 'edges/b.json': [edge()] })).toHaveLength(1);
    const changed = edge({ attributes: { relationship_context: 'owner' } });
    const error = reject({ 'edges/a.json': edge(), 'edges/b.json': [changed] }, 'edge.collision');
    expect(error.facts).toMatchObject({
      stable_id: EDGE_ID,
      file: 'edges/b.json#0',
      existing_file: 'edges/a.json#0',
      actual_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      existing_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(error.facts.actual_hash).not.toBe(error.facts.existing_hash);
  });

  it('checks a content_index entry named like a record (file#index) against the record hash', () => {
    const error = expectRejectionSync(
      () => run({ 'edges/a.json': edge() }, { contentIndex: { 'edges/a.json#0': '0'.repeat(64) } }),
      'edge',
      'edge.hash_mismatch',
    );
    expect(error.facts).toMatchObject({ expected_hash: '0'.repeat(64), file: 'edges/a.json#0' });
  });

  it('rejects edge.parse for invalid JSON, with Python’s message', () => {
    const error = reject({ 'edges/x.json': '[\n  {"a": 1},\n]\n' }, 'edge.parse');
    expect(error.message).toContain('Expecting value: line 3 column 1');
  });

  it('in strict mode, requires ULID ids, the edge schema and unique keys', () => {
    reject({ 'edges/x.json': edge({ stable_id: '01JA6Z7F8LOC00000000000000' }) }, 'edge.invalid_id', STRICT);
    const schema = reject({ 'edges/x.json': edge({ colour: 'red' }) }, 'edge.schema', STRICT);
    expect(schema.facts.rule).toBe('additionalProperties');
    reject(
      { 'edges/x.json': { ...edge(), attributes: undefined, type: 'adjacent_to' } },
      'edge.schema',
      STRICT,
    );
    reject(
      { 'edges/x.json': JSON.stringify(edge()).replace('"type"', '"type":"x","type"') },
      'edge.duplicate_key',
      STRICT,
    );
    expect(run({ 'edges/x.json': edge() }, {}, STRICT)).toHaveLength(1);
  });
});
