/**
 * PostgreSQL and PGlite give identical results: the same packages imported with the same clock into fresh
 * databases produce the same events (every stored byte), ImportLog, projections and verification.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock, importPackage, sequentialRunIds, verifyCampaign } from '../../src/index.js';
import { pgliteTestDatabase, pgTestDatabase, type TestDatabase } from '../support/databases.js';

const FIXTURES = new URL('../../fixtures/', import.meta.url).pathname;
const PACKAGES = [
  `${FIXTURES}packages/lighthouse`,
  `${FIXTURES}packages/lighthouse-annex`,
  `${FIXTURES}conformance/small-campaign/package`,
];

async function dump(target: TestDatabase): Promise<Record<string, unknown[]>> {
  const query = (sql: string) => target.db.query(sql);
  return {
    events: await query(
      `SELECT replay_ordinal::text, event_type, world_time::text, wall_time_utc::text AS wall,
              encode(prev_event_hash, 'hex') AS prev, encode(payload_hash, 'hex') AS ph,
              encode(idempotency_key, 'hex') AS k, encode(envelope_hash, 'hex') AS env,
              encode(payload_canonical, 'hex') AS p, payload::text AS j
         FROM events ORDER BY campaign_id, replay_ordinal`,
    ),
    importLog: await query(
      `SELECT sequence_no::text, phase, object_type, stable_id, file_hash, action, manifest_hash,
              event_ordinal::text FROM import_log ORDER BY campaign_id, sequence_no`,
    ),
    entities: await query(
      'SELECT stable_id, kind, name, content_hash, payload::text FROM entities ORDER BY stable_id',
    ),
    edges: await query(
      'SELECT stable_id, type, src_ref, dst_ref, content_hash FROM edges ORDER BY stable_id',
    ),
    tags: await query('SELECT stable_id, category, content_hash FROM tags ORDER BY stable_id, category'),
    chunks: await query(
      'SELECT stable_id, chunk_index, content, content_hash FROM chunks ORDER BY stable_id',
    ),
    imports: await query(
      'SELECT package_id, manifest_hash, state_digest, first_ordinal::text, last_ordinal::text, tip_hash FROM imports ORDER BY id',
    ),
  };
}

describe.runIf(process.env.DATABASE_URL)('PostgreSQL and PGlite', () => {
  const targets: TestDatabase[] = [];
  beforeAll(async () => {
    targets.push(await pgTestDatabase(), await pgliteTestDatabase());
  });
  afterAll(async () => {
    for (const target of targets) await target.drop();
  });

  it('store byte-identical ledgers for the same packages and clock', async () => {
    const dumps = [];
    for (const target of targets) {
      const runId = sequentialRunIds('x');
      for (const dir of PACKAGES) {
        const result = await importPackage(target.db, dir, {
          campaign: 'same',
          clock: fixedClock('2026-03-04T05:06:07.089Z'),
          runId,
        });
        expect(result.outcome).toBe('committed');
      }
      expect((await verifyCampaign(target.db, 'same')).ok).toBe(true);
      dumps.push(await dump(target));
    }
    expect(dumps[0]?.events?.length).toBeGreaterThan(50);
    expect(dumps[1]).toEqual(dumps[0]);
  });
});
