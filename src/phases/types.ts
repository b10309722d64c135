/**
 * The contract between package reading, the pure phases and the plan.
 * A phase takes the immutable snapshot and returns validated records in their deterministic order,
 * or throws a PackageRejectedError. Phases never touch the database or the file system.
 */
import type { JsonObject } from '../canonical/index.js';

export interface PlanOptions {
  /** Enforce content_index completeness, entity/edge schemas, real ULIDs, no duplicate JSON keys, LF+NFC files. */
  strict: boolean;
  /** Include `embedding_hint` in lore chunks (the reference's features.importer_embeddings; default on). */
  embeddings: boolean;
}

export const DEFAULT_PLAN_OPTIONS: PlanOptions = { strict: false, embeddings: true };

/** One file of the package, read once. `path` is package-relative POSIX (`entities/npc.json`). */
export interface PackageFile {
  path: string;
  bytes: Buffer;
  /** SHA-256 hex of the raw bytes (what content_index lists). */
  rawHash: string;
}

export interface Manifest {
  /** The parsed manifest exactly as written (lossless numbers). */
  raw: JsonObject;
  packageId: string;
  /** Canonical-JSON SHA-256 of `raw`. */
  manifestHash: string;
  schemaVersion: number;
  rulesetVersion: string;
  contentIndex: ReadonlyMap<string, string>;
}

export interface PackageSnapshot {
  manifest: Manifest;
  /** Files each phase reads, sorted by code point of their path. */
  entities: readonly PackageFile[];
  edges: readonly PackageFile[];
  /** From `ontology/`, or `ontologies/` when `ontology/` does not exist. */
  ontology: readonly PackageFile[];
  lore: readonly PackageFile[];
  /** Path and raw hash of every file read (manifest, listed and discovered files), sorted by path. */
  fingerprints: readonly { path: string; rawHash: string }[];
}

export type RecordKind = 'entity' | 'edge' | 'tag' | 'affordance' | 'chunk';

/** One object of the package: becomes one event, one projection row and one ImportLog row. */
export interface PhaseRecord {
  kind: RecordKind;
  /** entity/edge stable_id, tag_id, affordance_id, chunk_id (with its -NNN suffix). */
  stableId: string;
  /** Tags and affordances are identified by (id, category); empty for the other kinds. */
  category: string;
  /** ImportLog object_type: entity kind, edge type, `tag`, `affordance`, `content_chunk`. */
  objectType: string;
  /** The hash the state digest and the ImportLog carry (entity file hash, edge record hash, ontology file hash, chunk content hash). */
  contentHash: string;
  /** Package-relative source (`edges/x.json#0` for edges). */
  sourcePath: string;
  /** Provenance file hash (for chunks: the hash of the whole .md file). */
  fileHash: string;
  /** The event payload, as plain JS values and/or lossless JSON values. */
  payload: Record<string, unknown>;
}

/** What a phase reads back from a sealed record: its id, and the file and hash its collision errors name. */
export type SealedKeys = Pick<PhaseRecord, 'stableId' | 'sourcePath' | 'contentHash'>;

/**
 * What a phase keeps of each finished record while it still reads and checks the rest of its files, and returns
 * in the record's place. The planner's seal canonicalises the record at once and copies its strings out of the
 * file text they were cut from, so that a big phase holds compact payload bytes, not parsed trees that keep every
 * file's text alive; `keepRecord` (the default) keeps the record. A phase keys what it keeps by the sealed
 * record's strings, not the parsed ones.
 */
export type Seal<T extends SealedKeys> = (record: PhaseRecord) => T;

/** The seal of a caller that passes none: the record itself (`T` is then its default, `PhaseRecord`). */
export function keepRecord<T extends SealedKeys>(): Seal<T> {
  return (record) => record as unknown as T;
}
