import type { PhaseRecord, RecordKind } from '../phases/types.js';

export interface Counts {
  entities: number;
  edges: number;
  tags: number;
  affordances: number;
  chunks: number;
}

/**
 * An event the import will append: its canonical payload bytes are what is hashed and what is stored. The writer
 * hashes them as it chains the event (event-writer.ts), on the importing thread: planning, the slower of the two
 * threads of a big import, does not.
 */
export interface PlannedEvent {
  eventType: string;
  payloadCanonical: Buffer;
}

/** A package object with its event. */
export interface PlannedObject extends Omit<PhaseRecord, 'payload'> {
  event: PlannedEvent;
}

/** Everything an import means, decided without a database. Deterministic: same package, same plan. */
export interface ImportPlan {
  packageId: string;
  manifestHash: string;
  rulesetVersion: string;
  schemaVersion: number;
  manifestEvent: PlannedEvent;
  /** In event order: entities, edges, tags and affordances, chunks. */
  objects: PlannedObject[];
  completionEvent: PlannedEvent;
  counts: Counts;
  stateDigest: string;
  /** SHA-256 over the path and raw hash of every file read: detects changed unlisted files on a rerun. */
  filesDigest: string;
  warnings: string[];
}

export const EVENT_TYPES: Record<RecordKind | 'manifest' | 'complete', string> = {
  manifest: 'seed.manifest.validated',
  entity: 'seed.entity_created',
  edge: 'seed.edge_created',
  tag: 'seed.tag_registered',
  affordance: 'seed.affordance_registered',
  chunk: 'seed.content_chunk_ingested',
  complete: 'seed.import.complete',
};
