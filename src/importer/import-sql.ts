/**
 * Every SQL statement of the import capability, in one place to review.
 * Rows are written in multi-row batches (never one round trip per event); the jsonb columns are derived by
 * the server from the stored canonical bytes, so what is queryable is exactly what was hashed.
 */
import type { Session } from '../db/database.js';

export const PROJECTION_TABLES = {
  entity: 'entities',
  edge: 'edges',
  tag: 'tags',
  affordance: 'affordances',
  chunk: 'chunks',
} as const;

/** Serialises writers of one campaign for the rest of the transaction, waiting at most `lockTimeout`. */
export async function lockCampaign(tx: Session, slug: string, lockTimeout: string): Promise<void> {
  await tx.query(
    `SELECT set_config('lock_timeout', $2, true), pg_advisory_xact_lock(hashtextextended($1, 0))::text`,
    [`chronicle.campaign:${slug}`, lockTimeout],
  );
}

export interface CampaignState {
  campaign_id: string;
  last_ordinal: string | null;
  tip: Buffer | null;
  last_sequence_no: string | null;
}

export async function readCampaignState(tx: Session, slug: string): Promise<CampaignState | null> {
  const rows = await tx.query<CampaignState>(
    `SELECT c.id::text AS campaign_id,
            e.replay_ordinal::text AS last_ordinal,
            e.envelope_hash AS tip,
            (SELECT max(sequence_no)::text FROM import_log l WHERE l.campaign_id = c.id) AS last_sequence_no
       FROM campaigns c
       LEFT JOIN LATERAL (SELECT replay_ordinal, envelope_hash FROM events
                           WHERE campaign_id = c.id ORDER BY replay_ordinal DESC LIMIT 1) e ON true
      WHERE c.slug = $1`,
    [slug],
  );
  return rows[0] ?? null;
}

export async function createCampaign(tx: Session, slug: string, createdAt: string): Promise<string> {
  const rows = await tx.query<{ id: string }>(
    `INSERT INTO campaigns (slug, created_at) VALUES ($1, $2::timestamptz) RETURNING id::text AS id`,
    [slug, createdAt],
  );
  const id = rows[0]?.id;
  if (id === undefined) throw new Error('campaign insert returned no id');
  return id;
}

export interface CommittedImportRow {
  id: string;
  package_id: string;
  manifest_hash: string;
  state_digest: string;
  files_digest: string;
  first_ordinal: string;
  last_ordinal: string;
  tip_hash: string;
  counts: unknown;
  events_appended: number;
}

/** A committed import of this manifest in this campaign (rerun detection; one unique-index lookup). */
export async function findCommittedImport(
  session: Session,
  slug: string,
  manifestHash: string,
): Promise<CommittedImportRow | null> {
  const rows = await session.query<CommittedImportRow>(
    `SELECT i.id::text AS id, i.package_id, i.manifest_hash, i.state_digest, i.files_digest,
            i.first_ordinal::text AS first_ordinal, i.last_ordinal::text AS last_ordinal, i.tip_hash,
            i.counts, i.events_appended
       FROM imports i JOIN campaigns c ON c.id = i.campaign_id
      WHERE c.slug = $1 AND i.manifest_hash = $2`,
    [slug, manifestHash],
  );
  return rows[0] ?? null;
}

export interface ExistingObjectRow {
  stable_id: string;
  category: string;
  content_hash: string;
  package_id: string;
  source_path: string;
}

/** Objects of the campaign that share an id with the plan's objects (collision and skip detection). */
export async function findExistingObjects(
  tx: Session,
  table: (typeof PROJECTION_TABLES)[keyof typeof PROJECTION_TABLES],
  campaignId: string,
  stableIds: readonly string[],
): Promise<ExistingObjectRow[]> {
  if (stableIds.length === 0) return [];
  return tx.query<ExistingObjectRow>(
    `SELECT stable_id, category, content_hash, package_id, source_path
       FROM ${table} WHERE campaign_id = $1 AND stable_id = ANY($2::text[])`,
    [campaignId, stableIds],
  );
}

/** Reserves the id of the import row, which is written last (events and log rows reference it). */
export async function reserveImportId(tx: Session): Promise<string> {
  const rows = await tx.query<{ id: string }>(
    `SELECT nextval(pg_get_serial_sequence('imports', 'id'))::text AS id`,
  );
  const id = rows[0]?.id;
  if (id === undefined) throw new Error('could not reserve an import id');
  return id;
}

export interface EventRow {
  ordinal: bigint;
  eventType: string;
  prevEventHash: Buffer;
  payloadHash: Buffer;
  idempotencyKey: Buffer;
  envelopeHash: Buffer;
  payloadCanonical: Buffer;
}

export interface ProjectionRow {
  stableId: string;
  category: string;
  objectType: string;
  sourcePath: string;
  contentHash: string;
  fileHash: string;
  ordinal: bigint;
  payloadCanonical: Buffer;
}

export interface LogRow {
  sequenceNo: bigint;
  phase: string;
  objectType: string;
  stableId: string;
  fileHash: string;
  action: string;
  eventOrdinal: bigint | null;
}

/** Builds `($k::t1, $k+1::t2, ...), (...)` for `rowCount` rows after `shared` leading parameters. */
function valuesList(rowCount: number, types: readonly string[], shared: number): string {
  const rows: string[] = [];
  let n = shared;
  for (let r = 0; r < rowCount; r++) {
    rows.push(`(${types.map((t) => `$${++n}::${t}`).join(',')})`);
  }
  return rows.join(',');
}

const statementCache = new Map<string, string>();
function cached(key: string, build: () => string): string {
  let text = statementCache.get(key);
  if (text === undefined) {
    text = build();
    statementCache.set(key, text);
  }
  return text;
}

const EVENT_TYPES = ['bigint', 'text', 'bytea', 'bytea', 'bytea', 'bytea', 'bytea'] as const;

export async function insertEvents(
  tx: Session,
  shared: { campaignId: string; importId: string; wallTimeIso: string },
  rows: readonly EventRow[],
): Promise<void> {
  if (rows.length === 0) return;
  const text = cached(`events:${rows.length}`, () =>
    `INSERT INTO events (campaign_id, replay_ordinal, event_type, event_schema_version, world_time, wall_time_utc,
                         prev_event_hash, payload_hash, idempotency_key, envelope_hash, payload_canonical, payload,
                         import_id)
     SELECT $1::bigint, v.o, v.t, 1, v.o, $3::timestamptz, v.prev, v.ph, v.k, v.env, v.p,
            convert_from(v.p, 'UTF8')::jsonb, $2::bigint
       FROM (VALUES ${valuesList(rows.length, EVENT_TYPES, 3)}) AS v(o, t, prev, ph, k, env, p)`,
  );
  const params: unknown[] = [shared.campaignId, shared.importId, shared.wallTimeIso];
  for (const row of rows) {
    params.push(
      row.ordinal.toString(),
      row.eventType,
      row.prevEventHash,
      row.payloadHash,
      row.idempotencyKey,
      row.envelopeHash,
      row.payloadCanonical,
    );
  }
  await tx.query(text, params);
}

const PROJECTION_TYPES = ['text', 'text', 'text', 'text', 'text', 'text', 'bigint', 'bytea'] as const;

export async function insertProjections(
  tx: Session,
  table: (typeof PROJECTION_TABLES)[keyof typeof PROJECTION_TABLES],
  shared: { campaignId: string; packageId: string },
  rows: readonly ProjectionRow[],
): Promise<void> {
  if (rows.length === 0) return;
  const text = cached(`${table}:${rows.length}`, () =>
    `INSERT INTO ${table} (campaign_id, package_id, stable_id, category, object_type, source_path, content_hash,
                           file_hash, event_ordinal, payload)
     SELECT $1::bigint, $2::text, v.s, v.c, v.t, v.src, v.ch, v.fh, v.o, convert_from(v.p, 'UTF8')::jsonb
       FROM (VALUES ${valuesList(rows.length, PROJECTION_TYPES, 2)}) AS v(s, c, t, src, ch, fh, o, p)`,
  );
  const params: unknown[] = [shared.campaignId, shared.packageId];
  for (const row of rows) {
    params.push(
      row.stableId,
      row.category,
      row.objectType,
      row.sourcePath,
      row.contentHash,
      row.fileHash,
      row.ordinal.toString(),
      row.payloadCanonical,
    );
  }
  await tx.query(text, params);
}

const LOG_TYPES = ['bigint', 'text', 'text', 'text', 'text', 'text', 'bigint'] as const;

export async function insertImportLog(
  tx: Session,
  shared: { campaignId: string; importId: string; manifestHash: string; loggedAtIso: string },
  rows: readonly LogRow[],
): Promise<void> {
  if (rows.length === 0) return;
  const text = cached(`import_log:${rows.length}`, () =>
    `INSERT INTO import_log (campaign_id, sequence_no, import_id, phase, object_type, stable_id, file_hash, action,
                             manifest_hash, event_ordinal, logged_at)
     SELECT $1::bigint, v.n, $2::bigint, v.ph, v.t, v.s, v.fh, v.a, $3::text, v.o, $4::timestamptz
       FROM (VALUES ${valuesList(rows.length, LOG_TYPES, 4)}) AS v(n, ph, t, s, fh, a, o)`,
  );
  const params: unknown[] = [shared.campaignId, shared.importId, shared.manifestHash, shared.loggedAtIso];
  for (const row of rows) {
    params.push(
      row.sequenceNo.toString(),
      row.phase,
      row.objectType,
      row.stableId,
      row.fileHash,
      row.action,
      row.eventOrdinal === null ? null : row.eventOrdinal.toString(),
    );
  }
  await tx.query(text, params);
}

export interface ImportRowValues {
  id: string;
  campaignId: string;
  packageId: string;
  manifestHash: string;
  stateDigest: string;
  filesDigest: string;
  firstOrdinal: bigint;
  lastOrdinal: bigint;
  tipHash: string;
  counts: Record<string, number>;
  eventsAppended: number;
  objectsSkipped: number;
  firstSequenceNo: bigint;
  lastSequenceNo: bigint;
  durationMs: number;
  committedAtIso: string;
}

export async function insertImport(tx: Session, row: ImportRowValues): Promise<void> {
  await tx.query(
    `INSERT INTO imports (id, campaign_id, package_id, manifest_hash, state_digest, files_digest, first_ordinal,
                          last_ordinal, tip_hash, counts, events_appended, objects_skipped, first_sequence_no,
                          last_sequence_no, duration_ms, committed_at)
     OVERRIDING SYSTEM VALUE
     VALUES ($1::bigint, $2::bigint, $3, $4, $5, $6, $7::bigint, $8::bigint, $9, $10::jsonb, $11::int, $12::int,
             $13::bigint, $14::bigint, $15::int, $16::timestamptz)`,
    [
      row.id,
      row.campaignId,
      row.packageId,
      row.manifestHash,
      row.stateDigest,
      row.filesDigest,
      row.firstOrdinal.toString(),
      row.lastOrdinal.toString(),
      row.tipHash,
      JSON.stringify(row.counts),
      row.eventsAppended,
      row.objectsSkipped,
      row.firstSequenceNo.toString(),
      row.lastSequenceNo.toString(),
      row.durationMs,
      row.committedAtIso,
    ],
  );
}

export interface RunRecord {
  runId: string;
  campaign: string;
  packageId: string | null;
  manifestHash: string | null;
  outcome: 'committed' | 'noop' | 'rolled_back' | 'disabled';
  importId: string | null;
  phase: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  faultPoint: string | null;
  startedAtIso: string;
  finishedAtIso: string;
}

/** One row per attempt, written in its own transaction (after the rollback, for failed attempts). */
export async function insertRunRecord(session: Session, run: RunRecord): Promise<void> {
  await session.query(
    `INSERT INTO import_runs (run_id, campaign, package_id, manifest_hash, outcome, import_id, phase, error_code,
                              error_message, fault_point, started_at, finished_at)
     VALUES ($1, $2, $3, $4, $5, $6::bigint, $7, $8, $9, $10, $11::timestamptz, $12::timestamptz)`,
    [
      run.runId,
      run.campaign,
      run.packageId,
      run.manifestHash,
      run.outcome,
      run.importId,
      run.phase,
      run.errorCode,
      run.errorMessage,
      run.faultPoint,
      run.startedAtIso,
      run.finishedAtIso,
    ],
  );
}
