/**
 * Every SQL statement of the import capability, in one place to review.
 * Events, projections and ImportLog rows are streamed by binary COPY (never one round trip per event); the
 * jsonb columns are parsed by the server from the stored canonical bytes, so what is queryable is exactly
 * what was hashed.
 */
import type { CopyTupleEncoder } from '../db/copy-encoder.js';
import type { Session } from '../db/database.js';
import { IMPORT_LOG_COLUMNS } from '../db/import-log-columns.js';
import { sqlStateOf } from '../db/sql-errors.js';
import { DatabaseError } from '../errors.js';
import type { Counts } from '../plan/types.js';
import { ABANDONED_CODE } from './attempts.js';
import type { TableWriter } from './row-writer.js';

export const PROJECTION_TABLES = {
  entity: 'entities',
  edge: 'edges',
  tag: 'tags',
  affordance: 'affordances',
  chunk: 'chunks',
} as const;

/**
 * Serialises writers of one campaign for the rest of the transaction, waiting at most `lockTimeout`; past it,
 * `db.lock_timeout` naming the campaign and the wait. Aborting `signal` cancels the wait (its error is thrown).
 * On a PostgreSQL server the server looks every second whether this client is still there
 * (`client_connection_check_interval`, for the rest of the transaction): a server does not notice a client that
 * died while its statement waits for a lock, and the dead import would hold its attempt's lock, listed as running
 * by `chronicle runs`, until the campaign lock came or lock_timeout passed. (Set by a statement of its own: the
 * server arms the check as a statement starts.)
 */
export async function lockCampaign(
  tx: Session,
  slug: string,
  lockTimeout: string,
  signal?: AbortSignal,
): Promise<void> {
  // An interruption (SIGTERM from a service manager) must not wait out lock_timeout: the wait is cancelled.
  const cancel = () => void tx.cancel?.().catch(() => {});
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    signal?.throwIfAborted();
    if (tx.backend === 'pg')
      await tx.query(`SELECT set_config('client_connection_check_interval', '1s', true)`);
    await tx.query(
      `SELECT set_config('lock_timeout', $2, true), pg_advisory_xact_lock(hashtextextended($1, 0))::text`,
      [`chronicle.campaign:${slug}`, lockTimeout],
    );
  } catch (error) {
    if (signal?.aborted || sqlStateOf(error) !== LOCK_NOT_AVAILABLE) throw error;
    throw new DatabaseError(
      'db.lock_timeout',
      `campaign '${slug}' is locked by another import: waited ${lockTimeout} (lock_timeout) for it; try again ` +
        'when that import has finished, or give lock_timeout more time',
      { campaign: slug, lock_timeout: lockTimeout, sqlstate: LOCK_NOT_AVAILABLE },
      { cause: error },
    );
  } finally {
    signal?.removeEventListener('abort', cancel);
  }
}

const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Compresses the long values this transaction stores (the payloads of long lore chunks, in events and
 * projections) with lz4 where the server has it: pglz was ~10% of the server's work for an import, lz4 is
 * several times faster to write and to read back. Only this transaction is affected; without lz4 (PGlite) the
 * server keeps pglz. Stored values are the same either way.
 */
export async function preferLz4Compression(tx: Session): Promise<void> {
  await tx.query(
    `SELECT set_config('default_toast_compression', 'lz4', true)
       FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)`,
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
            (SELECT l.sequence_no::text FROM import_log l WHERE l.campaign_id = c.id
              ORDER BY l.campaign_id DESC, l.sequence_no DESC LIMIT 1) AS last_sequence_no
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
  /** In the plan's order (entities, edges, tags, affordances, chunks), whatever order jsonb kept. */
  counts: Counts;
  events_appended: number;
}

/**
 * The committed import in this campaign with this manifest hash (unique: rerun detection by manifest) or with
 * exactly these files, the manifest's included (a rerun recognised by raw bytes).
 */
export async function findCommittedImport(
  session: Session,
  slug: string,
  by: { manifestHash: string } | { filesDigest: string },
): Promise<CommittedImportRow | null> {
  const [column, value] =
    'manifestHash' in by ? ['manifest_hash', by.manifestHash] : ['files_digest', by.filesDigest];
  const rows = await session.query<Omit<CommittedImportRow, 'counts'> & { counts: Partial<Counts> }>(
    `SELECT i.id::text AS id, i.package_id, i.manifest_hash, i.state_digest, i.files_digest,
            i.first_ordinal::text AS first_ordinal, i.last_ordinal::text AS last_ordinal, i.tip_hash,
            i.counts, i.events_appended
       FROM imports i JOIN campaigns c ON c.id = i.campaign_id
      WHERE c.slug = $1 AND i.${column} = $2`,
    [slug, value],
  );
  const row = rows[0];
  if (!row) return null;
  const { entities = 0, edges = 0, tags = 0, affordances = 0, chunks = 0 } = row.counts;
  return { ...row, counts: { entities, edges, tags, affordances, chunks } };
}

/** The packages the campaign has committed imports of (none: no package can be a rerun). */
export async function importedPackageIds(session: Session, slug: string): Promise<string[]> {
  const rows = await session.query<{ package_id: string }>(
    `SELECT DISTINCT i.package_id FROM imports i JOIN campaigns c ON c.id = i.campaign_id WHERE c.slug = $1`,
    [slug],
  );
  return rows.map((row) => row.package_id);
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

/**
 * Of the given tags or affordances (key and canonical payload), those the campaign holds with the same definition:
 * the payload without its provenance (which names the file and its hash), compared as jsonb. An ontology object's
 * content hash is its whole file's, so a file that changed around an unchanged definition differs by hash alone.
 */
export async function sameOntologyDefinitions(
  tx: Session,
  table: (typeof PROJECTION_TABLES)['tag' | 'affordance'],
  campaignId: string,
  objects: readonly { stableId: string; category: string; payload: string }[],
): Promise<{ stable_id: string; category: string }[]> {
  if (objects.length === 0) return [];
  return tx.query<{ stable_id: string; category: string }>(
    `SELECT t.stable_id, t.category
       FROM ${table} t
       JOIN unnest($2::text[], $3::text[], $4::text[]) AS n(stable_id, category, payload)
         ON n.stable_id = t.stable_id AND n.category = t.category
      WHERE t.campaign_id = $1 AND (t.payload - 'provenance') = (n.payload::jsonb - 'provenance')`,
    [
      campaignId,
      objects.map((o) => o.stableId),
      objects.map((o) => o.category),
      objects.map((o) => o.payload),
    ],
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

export interface EventShared {
  campaignId: string;
  importId: string;
  wallTimeMicros: bigint;
}

const EVENT_COLUMNS = [
  'campaign_id',
  'replay_ordinal',
  'event_type',
  'event_schema_version',
  'world_time',
  'wall_time_utc',
  'prev_event_hash',
  'payload_hash',
  'idempotency_key',
  'envelope_hash',
  'payload_canonical',
  'payload',
  'import_id',
] as const;

/** Event rows: world time is the ordinal, the jsonb payload is parsed from the canonical bytes. */
export function eventWriter(shared: EventShared): TableWriter<EventRow> {
  const campaignId = BigInt(shared.campaignId);
  const importId = BigInt(shared.importId);
  return {
    table: 'events',
    columns: EVENT_COLUMNS,
    encode(encoder: CopyTupleEncoder, row: EventRow): void {
      encoder
        .tuple(EVENT_COLUMNS.length)
        .int8(campaignId)
        .int8(row.ordinal)
        .text(row.eventType)
        .int4(1)
        .int8(row.ordinal)
        .timestamptz(shared.wallTimeMicros)
        .bytes(row.prevEventHash)
        .bytes(row.payloadHash)
        .bytes(row.idempotencyKey)
        .bytes(row.envelopeHash)
        .bytes(row.payloadCanonical)
        .jsonb(row.payloadCanonical)
        .int8(importId);
    },
  };
}

const PROJECTION_COLUMNS = [
  'campaign_id',
  'package_id',
  'stable_id',
  'category',
  'object_type',
  'source_path',
  'content_hash',
  'file_hash',
  'event_ordinal',
  'payload',
] as const;

/** Projection rows (the generated columns are computed by the server from the jsonb payload). */
export function projectionWriter(
  table: (typeof PROJECTION_TABLES)[keyof typeof PROJECTION_TABLES],
  shared: { campaignId: string; packageId: string },
): TableWriter<ProjectionRow> {
  const campaignId = BigInt(shared.campaignId);
  return {
    table,
    columns: PROJECTION_COLUMNS,
    encode(encoder: CopyTupleEncoder, row: ProjectionRow): void {
      encoder
        .tuple(PROJECTION_COLUMNS.length)
        .int8(campaignId)
        .text(shared.packageId)
        .text(row.stableId)
        .text(row.category)
        .text(row.objectType)
        .text(row.sourcePath)
        .text(row.contentHash)
        .text(row.fileHash)
        .int8(row.ordinal)
        .jsonb(row.payloadCanonical);
    },
  };
}

export interface LogShared {
  campaignId: string;
  importId: string;
  manifestHash: string;
  loggedAtMicros: bigint;
}

const LOG_COLUMNS = ['campaign_id', ...IMPORT_LOG_COLUMNS] as const;

/** ImportLog rows (event_ordinal is NULL for a skipped object). */
export function importLogWriter(shared: LogShared): TableWriter<LogRow> {
  const campaignId = BigInt(shared.campaignId);
  const importId = BigInt(shared.importId);
  return {
    table: 'import_log',
    columns: LOG_COLUMNS,
    encode(encoder: CopyTupleEncoder, row: LogRow): void {
      encoder
        .tuple(LOG_COLUMNS.length)
        .int8(campaignId)
        .int8(row.sequenceNo)
        .int8(importId)
        .text(row.phase)
        .text(row.objectType)
        .text(row.stableId)
        .text(row.fileHash)
        .text(row.action)
        .text(shared.manifestHash);
      if (row.eventOrdinal === null) encoder.null();
      else encoder.int8(row.eventOrdinal);
      encoder.timestamptz(shared.loggedAtMicros);
    },
  };
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

/**
 * How an attempt's run record ended up written: by this attempt, or already by another import that took it for
 * abandoned (its connection broke, so its lock went, before it could write its own record on a new one).
 */
export type RunRecordWriter = 'this_attempt' | 'another_import';

/**
 * One row per attempt, written in its own transaction (after the rollback, for failed attempts); the attempt's
 * row in `import_attempts` (attempts.ts), when its transaction left one, goes in the same statement. When the run
 * id is already recorded, as the attempt's abandonment (or late commit) written by another import, that record
 * stands (`import_runs` is append-only); any other row under the same id is an error.
 */
export async function insertRunRecord(session: Session, run: RunRecord): Promise<RunRecordWriter> {
  const inserted = await session.query(
    `WITH ended AS (DELETE FROM import_attempts WHERE run_id = $1)
     INSERT INTO import_runs (run_id, campaign, package_id, manifest_hash, outcome, import_id, phase, error_code,
                              error_message, fault_point, started_at, finished_at)
     VALUES ($1, $2, $3, $4, $5, $6::bigint, $7, $8, $9, $10, $11::timestamptz, $12::timestamptz)
     ON CONFLICT (run_id) DO NOTHING RETURNING 1 AS inserted`,
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
  if (inserted.length > 0) return 'this_attempt';
  // The fields that tell the records apart, the message included: a committed attempt recorded by another import
  // differs from the attempt's own record only in it (and in finished_at, equal under a fixed clock).
  const [existing] = await session.query<{ ours: boolean; abandoned: boolean }>(
    `SELECT outcome = $5 AND finished_at = $6::timestamptz AND import_id IS NOT DISTINCT FROM $4::bigint
              AND error_code IS NOT DISTINCT FROM $7 AND error_message IS NOT DISTINCT FROM $8 AS ours,
            error_code = $3 OR (outcome = 'committed' AND import_id = $4::bigint) AS abandoned
       FROM import_runs WHERE run_id = $1 AND campaign = $2`,
    [
      run.runId,
      run.campaign,
      ABANDONED_CODE,
      run.importId,
      run.outcome,
      run.finishedAtIso,
      run.errorCode,
      run.errorMessage,
    ],
  );
  // This very record, written by a statement whose answer was lost (the caller tries again on a new connection).
  if (existing?.ours) return 'this_attempt';
  if (existing?.abandoned) return 'another_import';
  throw new Error(`run id ${run.runId} is already recorded for another attempt`);
}
