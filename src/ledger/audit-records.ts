/**
 * The records an audit reads besides the events, whether from the database or from a bundle, and the
 * source contract: each stream in the order the one-pass verification needs.
 */
import type { ProblemKind, StoredEvent } from './chain-verifier.js';

export const PROJECTION_TABLES = ['entities', 'edges', 'tags', 'affordances', 'chunks'] as const;
export type ProjectionTable = (typeof PROJECTION_TABLES)[number];

/** A row of `imports`. Numbers that can exceed 2^53 are bigint. */
export interface ImportRecord {
  id: string;
  packageId: string;
  manifestHash: string;
  stateDigest: string;
  filesDigest: string;
  firstOrdinal: bigint;
  lastOrdinal: bigint;
  tipHash: string;
  /** The recorded counts as stored (an object of five integers, unless the row was altered). */
  counts: unknown;
  eventsAppended: number;
  objectsSkipped: number;
  firstSequenceNo: bigint;
  lastSequenceNo: bigint;
  durationMs: number;
  committedAt: string;
}

/** A row of `import_log`. */
export interface LogRecord {
  sequenceNo: bigint;
  importId: string;
  phase: string;
  objectType: string;
  stableId: string;
  fileHash: string;
  action: string;
  manifestHash: string;
  eventOrdinal: bigint | null;
  loggedAt: string;
}

/** A row of one of the projection tables. `payload` is the jsonb column as text. */
export interface ProjectionRecord {
  table: ProjectionTable;
  stableId: string;
  category: string;
  objectType: string;
  packageId: string;
  sourcePath: string;
  contentHash: string;
  fileHash: string;
  eventOrdinal: bigint;
  payload: string;
}

/**
 * A committed import as `import_runs` names it (the first run that committed it or found it imported): the run
 * records outlive what they name, so an import whose rows were all removed is still named there.
 */
export interface RecordedRun {
  importId: string;
  runId: string;
  outcome: string;
  finishedAt: string;
}

/** A row of `checkpoints`: a tip document the database recorded when it was written. */
export interface RecordedCheckpoint {
  ordinal: bigint;
  tipHash: string;
  events: bigint;
  stateDigest: string | null;
  createdAt: string;
  keyId: string | null;
  signature: string | null;
  document: Buffer;
}

/**
 * How much a verification checks: `full`, the chain and every row derived from it (imports, ImportLog, state
 * digests, projections, the jsonb copy of each payload); `chain`, the hash chain alone (ordinals, links,
 * payload hashes, idempotency keys, envelope hashes) and the checkpoints, which name its hashes.
 */
export type VerifyScope = 'full' | 'chain';

/**
 * Where an audit reads a campaign from. Every call to a stream method starts a new pass over it.
 * Orders: events by ordinal; imports by id; ImportLog by sequence_no; projections by (event_ordinal,
 * table in PROJECTION_TABLES order, stable_id, category by code point); checkpoints by (ordinal, created_at).
 */
export interface AuditSource {
  readonly campaign: string;
  /** The campaign's id (the envelope hashes cover it), or null when the campaign does not exist. */
  readonly campaignId: string | null;
  /** The events the source says it holds, when it knows before reading them (for progress only). */
  readonly expectedEvents?: number;
  /** With `chain`, a source may leave out what only a full verification reads (the jsonb copy, import ids). */
  events(scope?: VerifyScope): AsyncIterable<StoredEvent>;
  imports(): AsyncIterable<ImportRecord>;
  importLog(): AsyncIterable<LogRecord>;
  projections(): AsyncIterable<ProjectionRecord>;
  checkpoints(): AsyncIterable<RecordedCheckpoint>;
  /** The imports the campaign's run records name (a database has them; a bundle does not). */
  recordedRuns?(): Promise<RecordedRun[]>;
}

/** How checkers report: the ordinal the problem is about, its kind and a message naming both sides. */
export type ReportProblem = (ordinal: bigint, kind: ProblemKind, message: string) => void;
