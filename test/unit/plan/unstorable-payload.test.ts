/**
 * A record whose payload the ledger cannot store (here an integer beyond int64) is canonicalised as soon as its
 * phase makes it, but reported where the plan reaches it: after every check of its phase, in event order, and
 * before any later phase is read.
 */
import { describe, expect, it } from 'vitest';
import { planSnapshot } from '../../../src/plan/plan-import.js';
import { expectRejectionSync } from '../package/support.js';
import { entityJson, NPC_ID, PLACE_ID, type SnapshotSpec, snapshotOf } from '../phases/support.js';

/** An integer JSON can hold and canonical JSON (signed 64-bit) cannot. */
const TOO_BIG = '99999999999999999999';
const LATER_ID = '01JJV9SM460MAAJTAXJ9T8KSZZ';
const EDGE_A = '01JJAE8T78G4EXDVGT4X5V2NN1';
const EDGE_B = '01JJAE8T78G4EXDVGT4X5V2NN2';

function unstorableEntity(stableId: string): string {
  return entityJson(stableId).replace('"tags": []', `"tags": [],\n  "props": { "weight": ${TOO_BIG} }`);
}

function edgeText(stableId: string, src: string, dst: string, attributes = '{}'): string {
  return `{ "stable_id": "${stableId}", "type": "adjacent_to", "src_ref": "${src}", "dst_ref": "${dst}", "attributes": ${attributes} }`;
}

const plan = (spec: SnapshotSpec) => () => planSnapshot(snapshotOf(spec));

describe('a payload the ledger cannot store', () => {
  it('is rejected with the phase code, naming the file and the stable id', () => {
    const error = expectRejectionSync(
      plan({ entities: { 'entities/npc.json': unstorableEntity(NPC_ID) } }),
      'entity',
      'entity.invalid',
    );
    expect(error.message).toContain('entities/npc.json');
    expect(error.message).toContain('cannot be stored in the ledger');
    expect(error.facts).toMatchObject({ file: 'entities/npc.json', stable_id: NPC_ID });
  });

  it('comes after the checks of its own phase: a collision later in the phase is reported first', () => {
    const error = expectRejectionSync(
      plan({
        entities: {
          'entities/a.json': unstorableEntity(NPC_ID),
          'entities/b.json': entityJson(PLACE_ID),
          'entities/c.json': entityJson(PLACE_ID, { name: 'Other' }),
        },
      }),
      'entity',
      'entity.collision',
    );
    expect(error.facts).toMatchObject({ stable_id: PLACE_ID });
  });

  it('comes before anything a later phase finds (the entities are written before the edges are read)', () => {
    expectRejectionSync(
      plan({
        entities: {
          'entities/npc.json': unstorableEntity(NPC_ID),
          'entities/place.json': entityJson(PLACE_ID),
        },
        edges: { 'edges/a.json': edgeText(EDGE_A, NPC_ID, LATER_ID) },
      }),
      'entity',
      'entity.invalid',
    );
  });

  it('is reported for the first such record in event order, not in file order', () => {
    const entities = { 'entities/npc.json': entityJson(NPC_ID), 'entities/place.json': entityJson(PLACE_ID) };
    const weight = `{ "weight": ${TOO_BIG} }`;
    // Edges are written sorted by (type, src_ref, dst_ref, source): b.json's edge comes first.
    const error = expectRejectionSync(
      plan({
        entities,
        edges: {
          'edges/a.json': edgeText(EDGE_A, PLACE_ID, NPC_ID, weight),
          'edges/b.json': edgeText(EDGE_B, NPC_ID, PLACE_ID, weight),
        },
      }),
      'edge',
      'edge.invalid',
    );
    expect(error.facts).toMatchObject({ file: 'edges/b.json#0', stable_id: EDGE_B });
  });
});
