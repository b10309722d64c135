/** SQL of the ledger's read side (verification, export, digests), in one place. */
import type { Session } from '../db/database.js';
import type { StoredEvent } from './chain-verifier.js';

export async function campaignId(session: Session, slug: string): Promise<string | null> {
  const rows = await session.query<{ id: string }>('SELECT id::text AS id FROM campaigns WHERE slug = $1', [slug]);
  return rows[0]?.id ?? null;
}

interface EventDbRow {
  campaign_id: string;
  replay_ordinal: string;
  event_type: string;
  event_schema_version: number;
  world_time: string;
  wall_time_micros: string;
  prev_event_hash: Buffer;
  payload_hash: Buffer;
  idempotency_key: Buffer;
  envelope_hash: Buffer;
  payload_canonical: Buffer;
  payload_json_matches: boolean;
}

/** Streams a campaign's events in ordinal order, `batchSize` rows per round trip (keyset pagination). */
export async function* readEvents(session: Session, id: string, batchSize = 1000): AsyncGenerator<StoredEvent> {
  let after = -1n;
  for (;;) {
    const rows = await session.query<EventDbRow>(
      `SELECT campaign_id::text AS campaign_id, replay_ordinal::text AS replay_ordinal, event_type,
              event_schema_version, world_time::text AS world_time,
              (extract(epoch FROM wall_time_utc) * 1000000)::bigint::text AS wall_time_micros,
              prev_event_hash, payload_hash, idempotency_key, envelope_hash, payload_canonical,
              (payload = convert_from(payload_canonical, 'UTF8')::jsonb) AS payload_json_matches
         FROM events e WHERE e.campaign_id = $1 AND e.replay_ordinal > $2
        ORDER BY e.replay_ordinal LIMIT $3`,
      [id, after.toString(), batchSize],
    );
    for (const row of rows) {
      yield {
        campaignId: row.campaign_id,
        replayOrdinal: BigInt(row.replay_ordinal),
        eventType: row.event_type,
        schemaVersion: Number(row.event_schema_version),
        worldTime: BigInt(row.world_time),
        wallTimeMicros: BigInt(row.wall_time_micros),
        prevEventHash: Buffer.from(row.prev_event_hash),
        payloadHash: Buffer.from(row.payload_hash),
        idempotencyKey: Buffer.from(row.idempotency_key),
        envelopeHash: Buffer.from(row.envelope_hash),
        payloadCanonical: Buffer.from(row.payload_canonical),
        payloadJsonMatches: row.payload_json_matches,
      };
    }
    const last = rows[rows.length - 1];
    if (!last || rows.length < batchSize) return;
    after = BigInt(last.replay_ordinal);
  }
}
