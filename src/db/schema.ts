/**
 * The drizzle-orm description of the tables that `migrations/*.sql` create, for typed reads through drizzle
 * and for drizzle-kit (`drizzle.config.ts`). The SQL files are the source of truth; keep this in step with
 * them. Not expressible here and only in SQL: the triggers, among them the per-statement checks that stand for
 * the foreign keys of the ledger, ImportLog and projection rows to `campaigns` and `imports` (migrations/0006).
 *
 * Types are drizzle's: int8 columns are `bigint` here, whereas raw `Session.query` returns them as strings
 * (see database.ts).
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  customType,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
} from 'drizzle-orm/pg-core';

const bytea = customType<{ data: Buffer; driverData: Buffer }>({
  dataType: () => 'bytea',
});

const int8 = (name: string) => bigint(name, { mode: 'bigint' });
const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const chronicleMigrations = pgTable('chronicle_migrations', {
  version: integer('version').primaryKey(),
  name: text('name').notNull(),
  checksum: text('checksum').notNull(),
  appliedAt: timestamptz('applied_at').notNull().defaultNow(),
});

export const campaigns = pgTable(
  'campaigns',
  {
    id: int8('id').primaryKey().generatedAlwaysAsIdentity(),
    slug: text('slug').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [unique('ux_campaigns_slug').on(t.slug)],
);

export const imports = pgTable(
  'imports',
  {
    id: int8('id').primaryKey().generatedAlwaysAsIdentity(),
    campaignId: int8('campaign_id')
      .notNull()
      .references(() => campaigns.id),
    packageId: text('package_id').notNull(),
    manifestHash: text('manifest_hash').notNull(),
    stateDigest: text('state_digest').notNull(),
    filesDigest: text('files_digest').notNull(),
    firstOrdinal: int8('first_ordinal').notNull(),
    lastOrdinal: int8('last_ordinal').notNull(),
    tipHash: text('tip_hash').notNull(),
    counts: jsonb('counts').notNull(),
    eventsAppended: integer('events_appended').notNull(),
    objectsSkipped: integer('objects_skipped').notNull(),
    firstSequenceNo: int8('first_sequence_no').notNull(),
    lastSequenceNo: int8('last_sequence_no').notNull(),
    durationMs: integer('duration_ms').notNull(),
    committedAt: timestamptz('committed_at').notNull().defaultNow(),
  },
  (t) => [unique('ux_imports_campaign_manifest_hash').on(t.campaignId, t.manifestHash)],
);

export const events = pgTable(
  'events',
  {
    campaignId: int8('campaign_id').notNull(),
    replayOrdinal: int8('replay_ordinal').notNull(),
    eventType: text('event_type').notNull(),
    eventSchemaVersion: integer('event_schema_version').notNull().default(1),
    worldTime: int8('world_time').notNull(),
    wallTimeUtc: timestamptz('wall_time_utc').notNull(),
    prevEventHash: bytea('prev_event_hash').notNull(),
    payloadHash: bytea('payload_hash').notNull(),
    idempotencyKey: bytea('idempotency_key').notNull(),
    envelopeHash: bytea('envelope_hash').notNull(),
    payloadCanonical: bytea('payload_canonical').notNull(),
    payload: jsonb('payload').notNull(),
    importId: int8('import_id'),
    actorId: text('actor_id').default('importer'),
  },
  (t) => [
    primaryKey({ columns: [t.campaignId, t.replayOrdinal] }),
    unique('ux_events_campaign_idempotency_key').on(t.campaignId, t.idempotencyKey),
    check('events_replay_ordinal_check', sql`${t.replayOrdinal} >= 0`),
    check('events_prev_event_hash_check', sql`octet_length(${t.prevEventHash}) = 32`),
    check('events_payload_hash_check', sql`octet_length(${t.payloadHash}) = 32`),
    check('events_idempotency_key_check', sql`octet_length(${t.idempotencyKey}) = 16`),
    check('events_envelope_hash_check', sql`octet_length(${t.envelopeHash}) = 32`),
  ],
);

export const importLog = pgTable(
  'import_log',
  {
    campaignId: int8('campaign_id').notNull(),
    sequenceNo: int8('sequence_no').notNull(),
    importId: int8('import_id').notNull(),
    phase: text('phase').notNull(),
    objectType: text('object_type').notNull(),
    stableId: text('stable_id').notNull(),
    fileHash: text('file_hash').notNull(),
    action: text('action').notNull(),
    manifestHash: text('manifest_hash').notNull(),
    eventOrdinal: int8('event_ordinal'),
    loggedAt: timestamptz('logged_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.campaignId, t.sequenceNo] }),
    check('import_log_sequence_no_check', sql`${t.sequenceNo} >= 1`),
    check(
      'import_log_phase_check',
      sql`${t.phase} IN ('manifest', 'entity', 'edge', 'ontology', 'lore', 'finalization')`,
    ),
    check(
      'import_log_action_check',
      sql`${t.action} IN ('validated', 'created', 'ingested', 'skipped', 'completed')`,
    ),
  ],
);

/** The imports that events and ImportLog rows name, one row each, checked against `imports` at commit. */
export const importReferences = pgTable('import_references', {
  importId: int8('import_id')
    .primaryKey()
    .references(() => imports.id),
});

export const importRuns = pgTable(
  'import_runs',
  {
    id: int8('id').primaryKey().generatedAlwaysAsIdentity(),
    runId: text('run_id').notNull(),
    campaign: text('campaign').notNull(),
    packageId: text('package_id'),
    manifestHash: text('manifest_hash'),
    outcome: text('outcome').notNull(),
    importId: int8('import_id'),
    phase: text('phase'),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    faultPoint: text('fault_point'),
    startedAt: timestamptz('started_at').notNull(),
    finishedAt: timestamptz('finished_at').notNull(),
  },
  (t) => [
    unique('ux_import_runs_run_id').on(t.runId),
    check('import_runs_outcome_check', sql`${t.outcome} IN ('committed', 'noop', 'rolled_back', 'disabled')`),
  ],
);

/** Import attempts in progress (migration 0007, src/importer/attempts.ts): not part of the ledger. */
export const importAttempts = pgTable('import_attempts', {
  runId: text('run_id').primaryKey(),
  campaign: text('campaign').notNull(),
  packageId: text('package_id'),
  manifestHash: text('manifest_hash'),
  pid: integer('pid').notNull(),
  host: text('host').notNull(),
  startedAt: timestamptz('started_at').notNull(),
  importId: int8('import_id'),
});

/** The columns every projection table shares. */
const projectionColumns = () => ({
  campaignId: int8('campaign_id').notNull(),
  stableId: text('stable_id').notNull(),
  category: text('category').notNull().default(''),
  objectType: text('object_type').notNull(),
  packageId: text('package_id').notNull(),
  sourcePath: text('source_path').notNull(),
  contentHash: text('content_hash').notNull(),
  fileHash: text('file_hash').notNull(),
  eventOrdinal: int8('event_ordinal').notNull(),
  payload: jsonb('payload').notNull(),
});

export const entities = pgTable(
  'entities',
  {
    ...projectionColumns(),
    kind: text('kind').generatedAlwaysAs(sql`payload ->> 'kind'`),
    name: text('name').generatedAlwaysAs(sql`payload ->> 'name'`),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.stableId, t.category] })],
);

export const edges = pgTable(
  'edges',
  {
    ...projectionColumns(),
    type: text('type').generatedAlwaysAs(sql`payload ->> 'type'`),
    srcRef: text('src_ref').generatedAlwaysAs(sql`payload ->> 'src_ref'`),
    dstRef: text('dst_ref').generatedAlwaysAs(sql`payload ->> 'dst_ref'`),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.stableId, t.category] })],
);

export const tags = pgTable('tags', projectionColumns(), (t) => [
  primaryKey({ columns: [t.campaignId, t.stableId, t.category] }),
]);

export const affordances = pgTable('affordances', projectionColumns(), (t) => [
  primaryKey({ columns: [t.campaignId, t.stableId, t.category] }),
]);

export const chunks = pgTable(
  'chunks',
  {
    ...projectionColumns(),
    chunkIndex: integer('chunk_index').generatedAlwaysAs(sql`(payload ->> 'chunk_index')::int`),
    content: text('content').generatedAlwaysAs(sql`payload ->> 'content'`),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.stableId, t.category] })],
);

export const checkpoints = pgTable(
  'checkpoints',
  {
    campaignId: int8('campaign_id')
      .notNull()
      .references(() => campaigns.id),
    ordinal: int8('ordinal').notNull(),
    tipHash: text('tip_hash').notNull(),
    events: int8('events').notNull(),
    stateDigest: text('state_digest'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    keyId: text('key_id'),
    signature: text('signature'),
    document: bytea('document').notNull(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.ordinal, t.createdAt] })],
);
