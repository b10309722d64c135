/** The reference's own fixtures through the real `chronicle plan --json` (skipped when ../shared is absent). */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { spawnCli } from '../../support/cli.js';

const IMPORT = new URL('../../../../shared/reference/fixtures/tests/fixtures/import/', import.meta.url)
  .pathname;
const HAS_REFERENCE = existsSync(IMPORT);
if (!HAS_REFERENCE)
  console.warn('[skip] ../shared/reference is absent: reference fixture CLI tests are skipped');

describe.runIf(HAS_REFERENCE)('reference fixtures through chronicle plan', () => {
  it('happy-path gives the golden digest, manifest hash and counts', async () => {
    const run = await spawnCli(['plan', `${IMPORT}manifest/happy-path`, '--json']);
    expect(run.code).toBe(0);
    expect(run.json).toEqual({
      outcome: 'planned',
      package_id: '01JAR9WYH41R8TFM6Z0X5E7QKJ',
      manifest_hash: '1ebddf6629745cb0c5ebc2db2a77f9c8769e80eeed5255f4cd6e98977768e366',
      state_digest: '4b621073dd1e5715b8a7d7518e8b0fa41929e012562a4b8a440b7303695d5e59',
      counts: { entities: 2, edges: 1, tags: 1, affordances: 1, chunks: 1 },
      events: 8,
      warnings: [],
    });
  });

  it('edge_package gives its digest', async () => {
    const run = await spawnCli(['plan', `${IMPORT}edge_package`, '--json']);
    expect(run.json.state_digest).toBe('17e4d541251e6e1845b895be50d89e9f5034e369cfa6184c14800960982962a2');
  });

  it('tampered is rejected naming entities/npc.json, its entity and both hashes', async () => {
    const run = await spawnCli(['plan', `${IMPORT}manifest/tampered`, '--json']);
    expect(run.code).toBe(1);
    expect(run.json).toMatchObject({
      outcome: 'rejected',
      error: {
        phase: 'manifest',
        code: 'package.hash_mismatch',
        file: 'entities/npc.json',
        stable_id: '01JA6Z7F8NPC00000000000000',
        expected_hash: '7d478136a27ad013caa5a225cbc4629998bb38b29c133b5c11a87803ceb7a1e6',
        actual_hash: '5880ea2569507faba1384c11a4edb144c07c7aed0d342ba345ec52c96f3c0d8e',
      },
    });
    const human = await spawnCli(['plan', `${IMPORT}manifest/tampered`]);
    expect(human.stderr).toContain('entities/npc.json');
    expect(human.stderr).toContain('5880ea2569507faba1384c11a4edb144c07c7aed0d342ba345ec52c96f3c0d8e');
    expect(human.stderr).toContain('it defines 01JA6Z7F8NPC00000000000000');
  });
});
