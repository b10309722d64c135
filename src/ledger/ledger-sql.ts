/**
 * SQL of the ledger's read side (verification, export, checkpoints), in one place. Every stream is keyset
 * paginated, `batchSize` rows per round trip, so memory does not grow with the campaign.
 */
import { CopyFormatError, type CopyTuple, copyTuples } from '../db/copy-decoder.js';
import { POSTGRES_EPOCH_MICROS } from '../db/copy-encoder.js';
import type { Session } from '../db/database.js';
import { IMPORT_LOG_COLUMNS } from '../db/import-log-columns.js';
import { DatabaseError, UsageError } from '../errors.js';
import {
  type ImportRecord,
  type LogRecord,
  PROJECTION_TABLES,
  type ProjectionRecord,
  type ProjectionTable,
  type RecordedCheckpoint,
  type RecordedRun,
  type VerifyScope,
} from './audit-records.js';
import type { StoredEvent } from './chain-verifier.js';
import { type PagedGenerator, rowsOf } from './paged.js';

const INT64_MAX = 2n ** 63n - 1n;
const NO_BYTES = Buffer.alloc(0);
const INT64_MIN = -(2n ** 63n);
const utc = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * Keyset pagination with one page of read-ahead: the next page's query is sent as soon as a page arrives,
 * so the database works on it while the caller consumes this one (the two cores overlap). `fetch(cursor)`
 * returns a page and the cursor after it (null: no more pages). The rows can also be read a page at a time
 * (`pages()`, see paged.ts), which saves an asynchronous step per row.
 */
function prefetchedPages<C, R>(
  first: C,
  fetch: (cursor: C) => Promise<{ rows: R[]; next: C | null }>,
): PagedGenerator<R> {
  // A page read ahead fails while the caller still works on the page before (the connection lost): it is only
  // awaited at the next page, so it is marked handled now, or Node would end the process on its rejection.
  const ahead = (cursor: C) => {
    const page = fetch(cursor);
    page.catch(() => undefined);
    return page;
  };
  async function* pages(): AsyncGenerator<R[]> {
    let pending: Promise<{ rows: R[]; next: C | null }> | null = ahead(first);
    try {
      while (pending) {
        const page: { rows: R[]; next: C | null } = await pending;
        pending = page.next === null ? null : ahead(page.next);
        yield page.rows;
      }
    } finally {
      // A consumer that stops early must not leave a query in flight on the session (nor an unhandled rejection).
      if (pending) await pending.catch(() => undefined);
    }
  }
  return rowsOf(pages);
}

export async function campaignId(session: Session, slug: string): Promise<string | null> {
  const rows = await session.query<{ id: string }>('SELECT id::text AS id FROM campaigns WHERE slug = $1', [
    slug,
  ]);
  return rows[0]?.id ?? null;
}

const NAMES_SHOWN = 5;

/**
 * The refusal of a campaign that does not exist: a misspelt name must not read as an empty campaign. It names
 * the first campaigns the database holds, so that the right name is at hand.
 */
export async function campaignNotFound(session: Session, campaign: string): Promise<UsageError> {
  const rows = await session.query<{ slug: string; total: number }>(
    `SELECT slug, count(*) OVER ()::int AS total FROM campaigns ORDER BY slug COLLATE "C" LIMIT ${NAMES_SHOWN}`,
  );
  const total = rows[0]?.total ?? 0;
  const names = rows.map((row) => `'${row.slug}'`).join(', ');
  const held =
    total === 0
      ? 'the database holds no campaign yet'
      : `the database holds ${names}${total > rows.length ? ` and ${total - rows.length} more (chronicle campaigns)` : ''}`;
  return new UsageError(`campaign '${campaign}' does not exist; ${held}`, { campaign }, 'campaign.not_found');
}

/** The campaign's id; a campaign that does not exist is refused (`campaign.not_found`). */
export async function requireCampaignId(session: Session, slug: string): Promise<string> {
  const id = await campaignId(session, slug);
  if (id === null) throw await campaignNotFound(session, slug);
  return id;
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
  /** The columns below are read for a full verification only. */
  payload_json_matches?: boolean;
  payload_jsonb?: string | null;
  import_id?: string | null;
  actor_id?: string | null;
}

/**
 * The comparison of an event's queryable jsonb payload with its canonical bytes runs on the server, through the
 * function migration 0004 made (a tampered byte can make the bytes invalid UTF-8 or JSON: a mismatch to report,
 * not an error that ends the statement). The tables' owner could replace it with one that always matches, or
 * shadow the built-ins its body names through search_path: so the audit first puts the built-ins first in its
 * transaction's search_path, then refuses to go on unless the function is still exactly the one 0004 made.
 * (Only reads: this works on a read-only standby too.)
 */
export const PAYLOAD_MATCHES_BODY = `
BEGIN
  RETURN payload = convert_from(canonical, 'UTF8')::jsonb;
EXCEPTION WHEN OTHERS THEN
  RETURN false;
END
`;

export async function secureAuditSession(session: Session): Promise<void> {
  await session.query(
    `SELECT pg_catalog.set_config('search_path',
       pg_catalog.concat('pg_catalog, ', pg_catalog.current_setting('search_path')), true)`,
  );
  const rows = await session.query<{ body: string; language: string; plain: boolean }>(
    `SELECT p.prosrc AS body, l.lanname::text AS language,
            (p.proconfig IS NULL AND NOT p.prosecdef AND NOT p.proisstrict AND p.provolatile = 's'
             AND p.prorettype = 'pg_catalog.bool'::pg_catalog.regtype) AS plain
       FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_language l ON l.oid = p.prolang
      WHERE p.oid = 'chronicle_payload_matches(pg_catalog.bytea, pg_catalog.jsonb)'::pg_catalog.regprocedure`,
  );
  const fn = rows[0];
  if (fn && fn.body === PAYLOAD_MATCHES_BODY && fn.language === 'plpgsql' && fn.plain) return;
  throw new DatabaseError(
    'db.audit_function_changed',
    'the function chronicle_payload_matches(bytea, jsonb) is not the one migration 0004 made (its definition or ' +
      "settings were changed, by the tables' owner or a superuser): the database's comparison of jsonb payloads " +
      'cannot be trusted, so nothing was verified. Restore it as 0004 defines it, and treat the change as tampering',
  );
}

/** What the hash chain itself is made of. */
const CHAIN_COLUMNS = `e.campaign_id::text AS campaign_id, e.replay_ordinal::text AS replay_ordinal, e.event_type,
              e.event_schema_version, e.world_time::text AS world_time,
              (extract(epoch FROM e.wall_time_utc) * 1000000)::bigint::text AS wall_time_micros,
              e.prev_event_hash, e.payload_hash, e.idempotency_key, e.envelope_hash, e.payload_canonical`;

/**
 * A full verification also compares the queryable jsonb copy with the canonical bytes (on the server: about
 * half of its work for this stream) and reads the import and actor ids.
 */
const FULL_COLUMNS = `${CHAIN_COLUMNS},
              m.ok AS payload_json_matches, CASE WHEN m.ok THEN NULL ELSE e.payload::text END AS payload_jsonb,
              e.import_id::text AS import_id, e.actor_id
         FROM events e CROSS JOIN LATERAL (SELECT chronicle_payload_matches(e.payload_canonical, e.payload) AS ok) m`;

/**
 * Streams a campaign's events in ordinal order: every column (`full`) or those of the chain only, in binary COPY
 * where the session has it (no hex-encoded bytea to decode, ints read as ints): the chain alone on a PostgreSQL
 * server as one stream, the session then busy until it has been read to its end; otherwise a page of
 * `batchSize` events per COPY, read ahead like the other streams. A session without COPY reads pages of rows.
 */
export function readEvents(
  session: Session,
  id: string,
  batchSize = 1000,
  scope: VerifyScope = 'full',
): PagedGenerator<StoredEvent> {
  if (scope === 'chain' && session.backend === 'pg' && session.copyOut) {
    return copiedChainEvents(session.copyOut.bind(session), id);
  }
  if (session.copyOutPage) {
    return copiedPages(
      session.copyOutPage.bind(session),
      batchSize,
      (after) => eventsQuery(id, scope, after, batchSize),
      (tuple) => copiedEvent(id, tuple),
      (event) => event.replayOrdinal,
    );
  }
  const columns = scope === 'full' ? FULL_COLUMNS : `${CHAIN_COLUMNS} FROM events e`;
  return prefetchedPages(INT64_MIN, async (after) => {
    const rows = await session.query<EventDbRow>(
      `SELECT ${columns}
        WHERE e.campaign_id = $1 AND e.replay_ordinal > $2
        ORDER BY e.replay_ordinal LIMIT $3`,
      [id, after.toString(), batchSize],
    );
    const last = rows[rows.length - 1];
    return {
      rows: rows.map(toStoredEvent),
      next: last && rows.length === batchSize ? BigInt(last.replay_ordinal) : null,
    };
  });
}

/**
 * The chain's columns in binary COPY: int8, text, int4, int8, timestamptz (int8 microseconds since
 * 2000-01-01, converted here rather than by the server) and five bytea, in this order.
 */
const COPIED_CHAIN_COLUMNS = `replay_ordinal, event_type, event_schema_version, world_time, wall_time_utc,
       prev_event_hash, payload_hash, idempotency_key, envelope_hash, payload_canonical`;

/** What a full verification reads besides (as in FULL_COLUMNS): bool, text (null when it matches), int8, text. */
const COPIED_AUDIT_COLUMNS = `m.ok, CASE WHEN m.ok THEN NULL ELSE e.payload::text END, e.import_id, e.actor_id`;

/** COPY takes no parameters: the id is written into the statement, so it must be the number it claims to be. */
function eventsQuery(id: string, scope: VerifyScope, after?: bigint, limit?: number): string {
  if (!/^[0-9]+$/.test(id)) throw new Error(`not a campaign id: ${id}`);
  const from = after === undefined ? '' : ` AND replay_ordinal > '${after}'::bigint`;
  const page = limit === undefined ? '' : ` LIMIT ${limit}`;
  const [columns, source] =
    scope === 'full'
      ? [
          `${COPIED_CHAIN_COLUMNS}, ${COPIED_AUDIT_COLUMNS}`,
          'events e CROSS JOIN LATERAL (SELECT chronicle_payload_matches(e.payload_canonical, e.payload) AS ok) m',
        ]
      : [COPIED_CHAIN_COLUMNS, 'events'];
  return `SELECT ${columns} FROM ${source} WHERE campaign_id = ${id}${from} ORDER BY replay_ordinal${page}`;
}

/** The whole chain in one streamed COPY (a PostgreSQL server). */
function copiedChainEvents(
  copyOut: (query: string) => AsyncIterable<Buffer>,
  id: string,
): PagedGenerator<StoredEvent> {
  const query = eventsQuery(id, 'chain');
  return rowsOf(async function* () {
    for await (const tuples of copyTuples(copyOut(query))) {
      yield tuples.map((tuple) => copiedEvent(id, tuple));
    }
  });
}

/**
 * Rows a page of `limit` at a time, each page one binary COPY of the rows after the last key read, the next
 * page asked for as soon as one arrives (as prefetchedPages). Binary COPY spares the row messages, the hex text
 * of every bytea and their decoding: a full verification is ~10% faster on a PostgreSQL server and ~35% on
 * PGlite (whose row results copy and decode every field on their own; chain-only there ~2x). Pages of a few
 * hundred rows are as fast as pages of 10,000 and keep memory down (a page's rows are views into it, and
 * PGlite's COPY output goes through the engine's own memory, which does not shrink).
 */
function copiedPages<R>(
  copyPage: (query: string) => Promise<Buffer>,
  limit: number,
  query: (after: bigint | undefined) => string,
  decode: (tuple: CopyTuple) => R,
  keyOf: (row: R) => bigint,
): PagedGenerator<R> {
  return prefetchedPages<bigint | undefined, R>(undefined, async (after) => {
    const rows = (await copiedTuples(copyPage(query(after)))).map(decode);
    const last = rows[rows.length - 1];
    return { rows, next: last !== undefined && rows.length === limit ? keyOf(last) : null };
  });
}

/** The tuples of one page's binary COPY. */
async function copiedTuples(page: Promise<Buffer>): Promise<CopyTuple[]> {
  const bytes = await page;
  const tuples: CopyTuple[] = [];
  for await (const part of copyTuples([bytes])) tuples.push(...part);
  return tuples;
}

/** A query's `$n` parameters as literals, for COPY (which takes none): campaign ids and int8 bounds only. */
function withLiterals(query: string, values: readonly (string | bigint)[]): string {
  return query.replace(/\$(\d+)/g, (_, n: string) => {
    const value = String(values[Number(n) - 1]);
    if (!/^-?[0-9]+$/.test(value)) throw new Error(`not an integer: ${value}`);
    return `'${value}'::bigint`;
  });
}

/** An event from its binary COPY tuple: the chain's columns, then a full verification's (COPIED_AUDIT_COLUMNS). */
function copiedEvent(campaignId: string, tuple: CopyTuple): StoredEvent {
  const field = (index: number): Buffer => {
    const value = tuple[index];
    if (!value) throw new CopyFormatError(`events column ${index + 1} is NULL`);
    return value;
  };
  // A hash or the payload set to NULL (its NOT NULL dropped first) is a mismatch at its ordinal, like any other
  // altered value, not a stream that cannot be read.
  const bytes = (index: number): Buffer => tuple[index] ?? NO_BYTES;
  const event: StoredEvent = {
    campaignId,
    replayOrdinal: field(0).readBigInt64BE(0),
    eventType: field(1).toString('utf8'),
    schemaVersion: field(2).readInt32BE(0),
    worldTime: field(3).readBigInt64BE(0),
    wallTimeMicros: field(4).readBigInt64BE(0) + POSTGRES_EPOCH_MICROS,
    prevEventHash: bytes(5),
    payloadHash: bytes(6),
    idempotencyKey: bytes(7),
    envelopeHash: bytes(8),
    payloadCanonical: bytes(9),
  };
  if (tuple.length > 10) {
    event.payloadJsonMatches = field(10)[0] === 1;
    event.payloadJsonb = tuple[11]?.toString('utf8') ?? null;
    event.importId = tuple[12]?.readBigInt64BE(0).toString() ?? null;
    event.actorId = tuple[13]?.toString('utf8') ?? null;
  }
  return event;
}

function toStoredEvent(row: EventDbRow): StoredEvent {
  const event: StoredEvent = {
    campaignId: row.campaign_id,
    replayOrdinal: BigInt(row.replay_ordinal),
    eventType: row.event_type,
    schemaVersion: Number(row.event_schema_version),
    worldTime: BigInt(row.world_time),
    wallTimeMicros: BigInt(row.wall_time_micros),
    prevEventHash: row.prev_event_hash,
    payloadHash: row.payload_hash,
    idempotencyKey: row.idempotency_key,
    envelopeHash: row.envelope_hash,
    payloadCanonical: row.payload_canonical,
  };
  if (row.payload_json_matches !== undefined) {
    event.payloadJsonMatches = row.payload_json_matches;
    event.payloadJsonb = row.payload_jsonb ?? null;
    event.importId = row.import_id ?? null;
    event.actorId = row.actor_id ?? null;
  }
  return event;
}

interface ImportDbRow {
  id: string;
  package_id: string;
  manifest_hash: string;
  state_digest: string;
  files_digest: string;
  first_ordinal: string;
  last_ordinal: string;
  tip_hash: string;
  counts: string;
  events_appended: number;
  objects_skipped: number;
  first_sequence_no: string;
  last_sequence_no: string;
  duration_ms: number;
  committed_at: string;
}

/** Streams a campaign's import rows in id (commit) order. */
/** The imports `import_runs` names for the campaign (by its name: the campaign row may be gone too), by id. */
export async function readRecordedRuns(session: Session, campaign: string): Promise<RecordedRun[]> {
  const rows = await session.query<{
    import_id: string;
    run_id: string;
    outcome: string;
    finished_at: string;
  }>(
    `SELECT DISTINCT ON (import_id) import_id::text AS import_id, run_id, outcome, ${utc('finished_at')} AS finished_at
       FROM import_runs
      WHERE campaign = $1 AND import_id IS NOT NULL AND outcome IN ('committed', 'noop')
      ORDER BY import_id, id`,
    [campaign],
  );
  return rows.map((row) => ({
    importId: row.import_id,
    runId: row.run_id,
    outcome: row.outcome,
    finishedAt: row.finished_at,
  }));
}

export function readImports(session: Session, id: string, batchSize = 1000): PagedGenerator<ImportRecord> {
  return prefetchedPages('0', async (after) => {
    const rows = await session.query<ImportDbRow>(
      `SELECT id::text AS id, package_id, manifest_hash, state_digest, files_digest,
              first_ordinal::text AS first_ordinal, last_ordinal::text AS last_ordinal, tip_hash,
              counts::text AS counts, events_appended, objects_skipped,
              first_sequence_no::text AS first_sequence_no, last_sequence_no::text AS last_sequence_no,
              duration_ms, ${utc('committed_at')} AS committed_at
         FROM imports i WHERE i.campaign_id = $1 AND i.id > $2 ORDER BY i.id LIMIT $3`,
      [id, after, batchSize],
    );
    const last = rows[rows.length - 1];
    return { rows: rows.map(toImportRecord), next: last && rows.length === batchSize ? last.id : null };
  });
}

function toImportRecord(row: ImportDbRow): ImportRecord {
  return {
    id: row.id,
    packageId: row.package_id,
    manifestHash: row.manifest_hash,
    stateDigest: row.state_digest,
    filesDigest: row.files_digest,
    firstOrdinal: BigInt(row.first_ordinal),
    lastOrdinal: BigInt(row.last_ordinal),
    tipHash: row.tip_hash,
    counts: JSON.parse(row.counts) as unknown,
    eventsAppended: row.events_appended,
    objectsSkipped: row.objects_skipped,
    firstSequenceNo: BigInt(row.first_sequence_no),
    lastSequenceNo: BigInt(row.last_sequence_no),
    durationMs: row.duration_ms,
    committedAt: row.committed_at,
  };
}

interface LogDbRow {
  sequence_no: string;
  import_id: string;
  phase: string;
  object_type: string;
  stable_id: string;
  file_hash: string;
  action: string;
  manifest_hash: string;
  event_ordinal: string | null;
  logged_at: string;
}

const IMPORT_LOG_PAGE = `SELECT sequence_no::text AS sequence_no, import_id::text AS import_id, phase, object_type,
         stable_id, file_hash, action, manifest_hash, event_ordinal::text AS event_ordinal,
         ${utc('logged_at')} AS logged_at
    FROM import_log l WHERE l.campaign_id = $1 AND l.sequence_no > $2 ORDER BY l.sequence_no LIMIT $3`;

/** IMPORT_LOG_PAGE's columns, in order (all text). */
const LOG_FIELDS: readonly (keyof LogDbRow)[] = IMPORT_LOG_COLUMNS;

/** Streams a campaign's ImportLog in sequence order (in binary COPY pages where the session has them). */
export function readImportLog(session: Session, id: string, batchSize = 1000): PagedGenerator<LogRecord> {
  if (session.copyOutPage) {
    return copiedPages(
      session.copyOutPage.bind(session),
      batchSize,
      (after) => withLiterals(IMPORT_LOG_PAGE, [id, after ?? INT64_MIN, BigInt(batchSize)]),
      (tuple) => toLogRecord(textRow<LogDbRow>(tuple, LOG_FIELDS)),
      (record) => record.sequenceNo,
    );
  }
  return prefetchedPages(INT64_MIN, async (after) => {
    const rows = await session.query<LogDbRow>(IMPORT_LOG_PAGE, [id, after.toString(), batchSize]);
    const last = rows[rows.length - 1];
    return {
      rows: rows.map(toLogRecord),
      next: last && rows.length === batchSize ? BigInt(last.sequence_no) : null,
    };
  });
}

/** A binary COPY tuple of text columns as a row keyed like a query's (`null` names skip a column). */
function textRow<R>(tuple: CopyTuple, names: readonly (keyof R | null)[]): R {
  const row: Record<string, string | null> = {};
  names.forEach((name, index) => {
    if (name !== null) row[name as string] = tuple[index]?.toString('utf8') ?? null;
  });
  return row as R;
}

function toLogRecord(row: LogDbRow): LogRecord {
  return {
    sequenceNo: BigInt(row.sequence_no),
    importId: row.import_id,
    phase: row.phase,
    objectType: row.object_type,
    stableId: row.stable_id,
    fileHash: row.file_hash,
    action: row.action,
    manifestHash: row.manifest_hash,
    eventOrdinal: row.event_ordinal === null ? null : BigInt(row.event_ordinal),
    loggedAt: row.logged_at,
  };
}

interface ProjectionDbRow {
  table_name: ProjectionTable;
  stable_id: string;
  category: string;
  object_type: string;
  package_id: string;
  source_path: string;
  content_hash: string;
  file_hash: string;
  event_ordinal: string;
  payload: string;
}

const projectionSelect = (table: ProjectionTable, rank: number) =>
  `SELECT '${table}'::text AS table_name, ${rank} AS rank, stable_id, category, object_type, package_id, source_path,
          content_hash, file_hash, event_ordinal AS o, event_ordinal::text AS event_ordinal, payload::text AS payload
     FROM ${table} WHERE campaign_id = $1 AND event_ordinal BETWEEN $2 AND $3`;

const PROJECTIONS_IN_RANGE = `SELECT * FROM (${PROJECTION_TABLES.map(projectionSelect).join('\nUNION ALL\n')}) p
  ORDER BY o, rank, stable_id COLLATE "C", category COLLATE "C"`;

/** PROJECTIONS_IN_RANGE's columns, in order (rank and o are for the ordering only). */
const PROJECTION_FIELDS: readonly (keyof ProjectionDbRow | null)[] = [
  'table_name',
  null,
  'stable_id',
  'category',
  'object_type',
  'package_id',
  'source_path',
  'content_hash',
  'file_hash',
  null,
  'event_ordinal',
  'payload',
];

// The first ordinal at or after $2 in each table, as "the first key in index order": min() over the same rows
// is planned, for a campaign the statistics do not know yet (right after its import), as an aggregate over
// every row from $2 on, once per page (quadratic over the campaign).
const NEXT_PROJECTION_ORDINAL = `SELECT least(${PROJECTION_TABLES.map(
  (table) =>
    `(SELECT event_ordinal FROM ${table} WHERE campaign_id = $1 AND event_ordinal >= $2
       ORDER BY campaign_id, event_ordinal LIMIT 1)`,
).join(', ')})::text AS o`;

/**
 * Streams a campaign's projection rows in creating-event order (then table, stable_id, category), one
 * ordinal range of `batchSize` at a time; empty stretches (e.g. a wildly altered event_ordinal) are jumped
 * over with an index lookup.
 */
export function readProjections(
  session: Session,
  id: string,
  batchSize = 1000,
): PagedGenerator<ProjectionRecord> {
  const copyPage = session.copyOutPage?.bind(session);
  const rowsInRange = async (low: bigint, high: bigint): Promise<ProjectionRecord[]> => {
    if (!copyPage) {
      const rows = await session.query<ProjectionDbRow>(PROJECTIONS_IN_RANGE, [
        id,
        low.toString(),
        high.toString(),
      ]);
      return rows.map(toProjectionRecord);
    }
    const tuples = await copiedTuples(copyPage(withLiterals(PROJECTIONS_IN_RANGE, [id, low, high])));
    return tuples.map((tuple) => toProjectionRecord(textRow<ProjectionDbRow>(tuple, PROJECTION_FIELDS)));
  };
  const inRange = async (low: bigint) => {
    const high = low + BigInt(batchSize) - 1n > INT64_MAX ? INT64_MAX : low + BigInt(batchSize) - 1n;
    return { rows: await rowsInRange(low, high), next: high === INT64_MAX ? null : high + 1n };
  };
  return prefetchedPages(INT64_MIN, async (from) => {
    // Rows usually follow each other ordinal by ordinal: read the range at `from` first, and look for the
    // next ordinal only when it is empty (one round trip per page instead of two).
    const page = await inRange(from);
    if (page.rows.length > 0 || page.next === null) return page;
    const next = await session.query<{ o: string | null }>(NEXT_PROJECTION_ORDINAL, [
      id,
      page.next.toString(),
    ]);
    const start = next[0]?.o;
    if (start === null || start === undefined) return { rows: [], next: null };
    return inRange(BigInt(start));
  });
}

function toProjectionRecord(row: ProjectionDbRow): ProjectionRecord {
  return {
    table: row.table_name,
    stableId: row.stable_id,
    category: row.category,
    objectType: row.object_type,
    packageId: row.package_id,
    sourcePath: row.source_path,
    contentHash: row.content_hash,
    fileHash: row.file_hash,
    eventOrdinal: BigInt(row.event_ordinal),
    payload: row.payload,
  };
}

interface CheckpointDbRow {
  ordinal: string;
  tip_hash: string;
  events: string;
  state_digest: string | null;
  created_at: string;
  key_id: string | null;
  signature: string | null;
  document: Buffer;
}

/** Streams the checkpoints recorded for a campaign, by ordinal then creation time. */
export async function* readCheckpoints(
  session: Session,
  id: string,
  batchSize = 1000,
): AsyncGenerator<RecordedCheckpoint> {
  let offset = 0;
  for (;;) {
    // Few rows per campaign; OFFSET keeps the statement simple (no keyset over a timestamp pair).
    const rows = await session.query<CheckpointDbRow>(
      `SELECT ordinal::text AS ordinal, tip_hash, events::text AS events, state_digest, ${utc('created_at')} AS created_at,
              key_id, signature, document
         FROM checkpoints k WHERE k.campaign_id = $1 ORDER BY k.ordinal, k.created_at LIMIT $2 OFFSET $3`,
      [id, batchSize, offset],
    );
    for (const row of rows) {
      yield {
        ordinal: BigInt(row.ordinal),
        tipHash: row.tip_hash,
        events: BigInt(row.events),
        stateDigest: row.state_digest,
        createdAt: row.created_at,
        keyId: row.key_id,
        signature: row.signature,
        document: Buffer.from(row.document),
      };
    }
    if (rows.length < batchSize) return;
    offset += rows.length;
  }
}

/** The last event of a campaign: its ordinal and envelope hash. */
export async function readTip(
  session: Session,
  id: string,
): Promise<{ ordinal: bigint; envelopeHash: Buffer } | null> {
  const rows = await session.query<{ ordinal: string; envelope_hash: Buffer }>(
    `SELECT e.replay_ordinal::text AS ordinal, e.envelope_hash FROM events e WHERE e.campaign_id = $1
      ORDER BY e.replay_ordinal DESC LIMIT 1`,
    [id],
  );
  const row = rows[0];
  // A NULL hash (its NOT NULL dropped first) reads as no bytes: a damaged tip, which verify reports.
  return row
    ? { ordinal: BigInt(row.ordinal), envelopeHash: Buffer.from(row.envelope_hash ?? NO_BYTES) }
    : null;
}

/** The envelope hashes at the given ordinals (those that exist), ascending. */
export async function readEnvelopeHashes(
  session: Session,
  id: string,
  ordinals: readonly bigint[],
): Promise<[bigint, string | null][]> {
  const rows = await session.query<{ ordinal: string; hash: string | null }>(
    `SELECT e.replay_ordinal::text AS ordinal, encode(e.envelope_hash, 'hex') AS hash FROM events e
      WHERE e.campaign_id = $1 AND e.replay_ordinal = ANY($2::bigint[]) ORDER BY e.replay_ordinal`,
    [id, ordinals.map(String)],
  );
  return rows.map((row) => [BigInt(row.ordinal), row.hash]);
}

export interface CheckpointRow {
  campaignId: string;
  ordinal: bigint;
  tipHash: string;
  events: bigint;
  stateDigest: string;
  createdAt: string;
  keyId: string | null;
  signature: string | null;
  document: Buffer;
}

/** Records a checkpoint (append-only); returns false when the same one was already recorded. */
export async function insertCheckpoint(session: Session, row: CheckpointRow): Promise<boolean> {
  const inserted = await session.query(
    `INSERT INTO checkpoints (campaign_id, ordinal, tip_hash, events, state_digest, created_at, key_id, signature, document)
     VALUES ($1::bigint, $2::bigint, $3, $4::bigint, $5, $6::timestamptz, $7, $8, $9)
     ON CONFLICT DO NOTHING RETURNING 1 AS inserted`,
    [
      row.campaignId,
      row.ordinal.toString(),
      row.tipHash,
      row.events.toString(),
      row.stateDigest,
      row.createdAt,
      row.keyId,
      row.signature,
      row.document,
    ],
  );
  return inserted.length > 0;
}
