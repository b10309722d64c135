/**
 * What the audit tests share: a campaign of three packages imported with a pinned clock, tampering done
 * as a superuser with the triggers off (what a rogue operator can do), and verification both on the
 * database and from an exported bundle.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import {
  type AuditReport,
  exportBundle,
  fixedClock,
  importPackage,
  sequentialRunIds,
  type VerifyOptions,
  verifyBundle,
  verifyCampaign,
} from '../../src/index.js';
import { envelopeHash, idempotencyKeyV2, topLevelRulesetVersion } from '../../src/ledger/envelope.js';
import { removeTempDirs as removeTmpDirs, tempDir as tmpDir } from '../support/temp-dirs.js';

export { removeTmpDirs, tmpDir };

import { superuserQuery, type TestDatabase } from '../support/databases.js';

const FIXTURES = new URL('../../fixtures/', import.meta.url).pathname;
export const LIGHTHOUSE = `${FIXTURES}packages/lighthouse`;
export const ANNEX = `${FIXTURES}packages/lighthouse-annex`;
export const SMALL = `${FIXTURES}conformance/small-campaign/package`;
export const LORE = `${FIXTURES}conformance/lore-basic/package`;

/** Ordinals of the seeded campaign: lighthouse 0..17, annex 18..21 (one object skipped), small-campaign after. */
export const LIGHTHOUSE_LAST = 17;
export const ANNEX_FIRST = 18;
export const ANNEX_LAST = 21;

const runIds = sequentialRunIds('audit-test');

export async function importAll(
  target: TestDatabase,
  campaign: string,
  packages: readonly string[],
): Promise<number> {
  let last = -1;
  for (const dir of packages) {
    const result = await importPackage(target.db, dir, {
      campaign,
      clock: fixedClock('2026-02-01T09:00:00.000Z', 1000n),
      runId: runIds,
    });
    if (result.outcome !== 'committed')
      throw new Error(`seed import of ${dir} was ${result.outcome}: ${result.error?.message}`);
    last = result.lastOrdinal ?? last;
  }
  return last;
}

export const campaignIdSql = (campaign: string) => `(SELECT id FROM campaigns WHERE slug = '${campaign}')`;

/** Verifies on the database, then exports and verifies the bundle: both reports, for comparing verdicts. */
export async function verifyBoth(
  target: TestDatabase,
  campaign: string,
  options: Pick<VerifyOptions, 'against' | 'scope' | 'hashThread' | 'maxProblems'> = {},
): Promise<{ db: AuditReport; bundle: AuditReport; bundlePath: string }> {
  const db = await verifyCampaign(target.db, campaign, options);
  const bundlePath = join(tmpDir('bundle'), `${campaign}.ndjson`);
  await exportBundle(target.db, campaign, bundlePath, { clock: fixedClock('2026-03-01T00:00:00.000Z') });
  const bundle = await verifyBundle(bundlePath, options);
  return { db, bundle, bundlePath };
}

interface ChainRow {
  ordinal: string;
  event_type: string;
  wall_micros: string;
  payload_hash: Buffer;
  payload_canonical: Buffer;
  prev_event_hash: Buffer;
}

/**
 * A rogue operator's consistent rewrite: from `fromOrdinal` on, `mutate` changes the payload text of the
 * events it returns a new text for (their projection rows follow), and every payload hash, idempotency
 * key, prev link and envelope hash after it is recomputed; the import rows' tips follow and the recorded
 * checkpoints are deleted. Nothing inside the database tells the difference any more.
 */
export async function rewriteTail(
  target: TestDatabase,
  campaign: string,
  fromOrdinal: number,
  mutate: (ordinal: number, payload: string) => string | null,
): Promise<void> {
  const cid = (
    await target.db.query<{ id: string }>(`SELECT id::text AS id FROM campaigns WHERE slug = $1`, [campaign])
  )[0]?.id;
  if (!cid) throw new Error(`no campaign ${campaign}`);
  const rows = await target.db.query<ChainRow>(
    `SELECT replay_ordinal::text AS ordinal, event_type, (extract(epoch FROM wall_time_utc) * 1000000)::bigint::text AS wall_micros,
            payload_hash, payload_canonical, prev_event_hash
       FROM events WHERE campaign_id = $1 AND replay_ordinal >= $2 ORDER BY replay_ordinal`,
    [cid, fromOrdinal],
  );
  let prev: Buffer = Buffer.from(rows[0]?.prev_event_hash ?? Buffer.alloc(32));
  for (const row of rows) {
    const ordinal = BigInt(row.ordinal);
    const changed = mutate(Number(ordinal), Buffer.from(row.payload_canonical).toString('utf8'));
    const payload = changed === null ? Buffer.from(row.payload_canonical) : Buffer.from(changed, 'utf8');
    const payloadHash = createHash('sha256').update(payload).digest();
    const key = idempotencyKeyV2({
      campaignId: cid,
      eventType: row.event_type,
      rulesetVersion: topLevelRulesetVersion(payload),
      canonicalArgs: payload,
    });
    const envelope = envelopeHash({
      campaignId: cid,
      replayOrdinal: ordinal,
      eventType: row.event_type,
      schemaVersion: 1,
      worldTime: ordinal,
      wallTimeMicros: BigInt(row.wall_micros),
      prevEventHash: prev,
      payloadHash,
      idempotencyKey: key,
    });
    await superuserQuery(
      target,
      `UPDATE events SET payload_canonical = $3, payload = convert_from($3, 'UTF8')::jsonb, payload_hash = $4,
              idempotency_key = $5, prev_event_hash = $6, envelope_hash = $7
        WHERE campaign_id = $1 AND replay_ordinal = $2`,
      [cid, row.ordinal, payload, payloadHash, key, prev, envelope],
    );
    if (changed !== null) {
      for (const table of ['entities', 'edges', 'tags', 'affordances', 'chunks']) {
        await superuserQuery(
          target,
          `UPDATE ${table} SET payload = convert_from($3, 'UTF8')::jsonb WHERE campaign_id = $1 AND event_ordinal = $2`,
          [cid, row.ordinal, payload],
        );
      }
    }
    await superuserQuery(
      target,
      `UPDATE imports SET tip_hash = $3 WHERE campaign_id = $1 AND last_ordinal = $2`,
      [cid, row.ordinal, envelope.toString('hex')],
    );
    prev = envelope;
  }
  await superuserQuery(target, `DELETE FROM checkpoints WHERE campaign_id = $1`, [cid]);
}

/** Inserts an event after the tip whose hashes are all correct: the chain itself stays consistent. */
export async function forgeEventAfterTip(
  target: TestDatabase,
  campaign: string,
  payloadText: string,
  eventType: string,
): Promise<number> {
  const cid = (
    await target.db.query<{ id: string }>(`SELECT id::text AS id FROM campaigns WHERE slug = $1`, [campaign])
  )[0]?.id;
  if (!cid) throw new Error(`no campaign ${campaign}`);
  const tip = (
    await target.db.query<{ ordinal: string; envelope_hash: Buffer; wall_micros: string; import_id: string }>(
      `SELECT replay_ordinal::text AS ordinal, envelope_hash, import_id::text AS import_id,
              (extract(epoch FROM wall_time_utc) * 1000000)::bigint::text AS wall_micros
         FROM events WHERE campaign_id = $1 ORDER BY replay_ordinal DESC LIMIT 1`,
      [cid],
    )
  )[0];
  if (!tip) throw new Error('empty campaign');
  const ordinal = BigInt(tip.ordinal) + 1n;
  const payload = Buffer.from(payloadText, 'utf8');
  const payloadHash = createHash('sha256').update(payload).digest();
  const key = idempotencyKeyV2({
    campaignId: cid,
    eventType,
    rulesetVersion: topLevelRulesetVersion(payload),
    canonicalArgs: payload,
  });
  const envelope = envelopeHash({
    campaignId: cid,
    replayOrdinal: ordinal,
    eventType,
    schemaVersion: 1,
    worldTime: ordinal,
    wallTimeMicros: BigInt(tip.wall_micros),
    prevEventHash: Buffer.from(tip.envelope_hash),
    payloadHash,
    idempotencyKey: key,
  });
  await superuserQuery(
    target,
    `INSERT INTO events (campaign_id, replay_ordinal, event_type, event_schema_version, world_time, wall_time_utc,
                         prev_event_hash, payload_hash, idempotency_key, envelope_hash, payload_canonical, payload, import_id)
     SELECT $1, $2::bigint, $3, 1, $2::bigint, 'epoch'::timestamptz + $4::bigint * interval '1 microsecond', $5, $6, $7, $8, $9,
            convert_from($9, 'UTF8')::jsonb, $10::bigint`,
    [
      cid,
      ordinal.toString(),
      eventType,
      tip.wall_micros,
      Buffer.from(tip.envelope_hash),
      payloadHash,
      key,
      envelope,
      payload,
      tip.import_id,
    ],
  );
  return Number(ordinal);
}
