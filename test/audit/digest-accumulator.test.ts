/** The state digest recomputed from ImportLog rows, in memory and with sorted runs spilled to disk. */
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../src/ledger/audit-records.js';
import { DigestAccumulator } from '../../src/ledger/digest-accumulator.js';
import { manifestComponent, stateDigest } from '../../src/plan/state-digest.js';

const row = (phase: string, objectType: string, stableId: string, fileHash: string): LogRecord => ({
  sequenceNo: 1n,
  importId: '1',
  phase,
  objectType,
  stableId,
  fileHash,
  action: 'created',
  manifestHash: 'm',
  eventOrdinal: null,
  loggedAt: '',
});

// ids whose UTF-16 order differs from their code-point order (an astral character against U+FF5E), NFC-
// sensitive text, duplicates of one id in two phases
const IDS = ['b', 'a', '\u{1F600}x', '\uFF5Ey', 'caf\u00E9', 'z', 'a', 'Z', '01J0000000000000000000000', ''];

function rows(): { log: LogRecord[]; expected: string } {
  const log: LogRecord[] = [row('manifest', 'package', 'PKG', 'mh')];
  const components = [manifestComponent('PKG', 'mh')];
  IDS.forEach((id, i) => {
    for (const [phase, objectType, digestPhase] of [
      ['entity', 'npc', 'entity'],
      ['ontology', 'tag', 'ontology.tag'],
      ['ontology', 'affordance', 'ontology.affordance'],
      ['lore', 'content_chunk', 'lore'],
      ['edge', 'connected_to', 'edge'],
    ] as const) {
      log.push(row(phase, objectType, id, `h${(i * 7) % 5}`));
      components.push({ phase: digestPhase, stable_id: id, content_hash: `h${(i * 7) % 5}` });
    }
  });
  log.push(row('finalization', 'summary', 'summary-PKG', 'digest'));
  return { log, expected: stateDigest(components) };
}

describe('DigestAccumulator', () => {
  it.each([1000, 7, 1])('gives the plan digest with %i components in memory', async (limit) => {
    const { log, expected } = rows();
    const accumulator = new DigestAccumulator(limit);
    for (const r of log) accumulator.add(r);
    const before = new Set(readdirSync(tmpdir()).filter((n) => n.startsWith('chronicle-digest-')));
    expect(await accumulator.take()).toBe(expected);
    const after = readdirSync(tmpdir()).filter((n) => n.startsWith('chronicle-digest-') && !before.has(n));
    expect(after).toEqual([]);
    // a fresh start after take()
    accumulator.add(row('manifest', 'package', 'P2', 'm2'));
    expect(await accumulator.take()).toBe(stateDigest([manifestComponent('P2', 'm2')]));
  });

  it('deletes its spilled runs when disposed early', () => {
    const spillDirs = () => readdirSync(tmpdir()).filter((n) => n.startsWith('chronicle-digest-'));
    const before = spillDirs();
    const accumulator = new DigestAccumulator(2);
    for (const r of rows().log) accumulator.add(r);
    expect(spillDirs().length).toBe(before.length + 1);
    accumulator.dispose();
    expect(spillDirs()).toEqual(before);
  });
});
