/**
 * What an event's payload says about the rows derived from it: which projection row it created (table,
 * key, content hash, provenance) and which ImportLog row records it. Read from the stored canonical bytes.
 */
import { isJsonObject, type JsonObject, type JsonValue, parseJson } from '../canonical/index.js';
import type { ProjectionTable } from './audit-records.js';
import type { StoredEvent } from './chain-verifier.js';

export const MANIFEST_EVENT = 'seed.manifest.validated';
export const COMPLETION_EVENT = 'seed.import.complete';

/** The projection row and ImportLog row an object event stands for. */
export interface ObjectFacts {
  table: ProjectionTable;
  stableId: string;
  category: string;
  objectType: string;
  /** The hash the projection row, the ImportLog row and the state digest carry. */
  contentHash: string;
  fileHash: string;
  sourcePath: string;
  packageId: string;
  logPhase: string;
  logAction: string;
}

export interface EventFacts {
  ordinal: bigint;
  eventType: string;
  envelopeHash: string;
  importId: string | null;
  /** The parsed payload, or null when the stored bytes are not a JSON object. */
  payload: JsonObject | null;
  /** For object events with a well-formed payload. */
  object: ObjectFacts | null;
}

interface ObjectRule {
  table: ProjectionTable;
  idField: string;
  logPhase: string;
  logAction: string;
  objectType: (payload: JsonObject) => string | null;
  /** Chunks carry their own content hash; the other kinds use their provenance file hash. */
  contentHash: (payload: JsonObject, provenance: JsonObject) => string | null;
}

const fileHashOf = (_payload: JsonObject, provenance: JsonObject) => text(provenance.file_hash);

const OBJECT_RULES: Record<string, ObjectRule> = {
  'seed.entity_created': {
    table: 'entities',
    idField: 'stable_id',
    logPhase: 'entity',
    logAction: 'created',
    objectType: (p) => text(p.kind),
    contentHash: fileHashOf,
  },
  'seed.edge_created': {
    table: 'edges',
    idField: 'stable_id',
    logPhase: 'edge',
    logAction: 'created',
    objectType: (p) => text(p.type),
    contentHash: fileHashOf,
  },
  'seed.tag_registered': {
    table: 'tags',
    idField: 'tag_id',
    logPhase: 'ontology',
    logAction: 'created',
    objectType: () => 'tag',
    contentHash: fileHashOf,
  },
  'seed.affordance_registered': {
    table: 'affordances',
    idField: 'affordance_id',
    logPhase: 'ontology',
    logAction: 'created',
    objectType: () => 'affordance',
    contentHash: fileHashOf,
  },
  'seed.content_chunk_ingested': {
    table: 'chunks',
    idField: 'chunk_id',
    logPhase: 'lore',
    logAction: 'ingested',
    objectType: () => 'content_chunk',
    contentHash: (p) => text(p.content_hash),
  },
};

export function text(value: JsonValue | undefined): string | null {
  return typeof value === 'string' ? value : null;
}

export function parsePayload(bytes: Buffer): JsonObject | null {
  try {
    const value = parseJson(bytes.toString('utf8'));
    return isJsonObject(value) ? value : null;
  } catch {
    return null;
  }
}

/**
 * What the checkpoint checks of a chain-only verification need: the ordinal and envelope hash (nothing parsed;
 * the hash is written as hex only when a check asks for it, at a checkpoint's ordinals).
 */
export function chainFacts(event: StoredEvent): EventFacts {
  return new ChainFacts(event);
}

class ChainFacts implements EventFacts {
  readonly ordinal: bigint;
  readonly eventType: string;
  readonly importId = null;
  readonly payload = null;
  readonly object = null;

  constructor(private readonly event: StoredEvent) {
    this.ordinal = event.replayOrdinal;
    this.eventType = event.eventType;
  }

  get envelopeHash(): string {
    return this.event.envelopeHash.toString('hex');
  }
}

export function eventFacts(event: StoredEvent): EventFacts {
  const payload = parsePayload(event.payloadCanonical);
  return {
    ordinal: event.replayOrdinal,
    eventType: event.eventType,
    envelopeHash: event.envelopeHash.toString('hex'),
    importId: event.importId ?? null,
    payload,
    object: payload ? objectFacts(event.eventType, payload) : null,
  };
}

function objectFacts(eventType: string, payload: JsonObject): ObjectFacts | null {
  if (!Object.hasOwn(OBJECT_RULES, eventType)) return null;
  const rule = OBJECT_RULES[eventType] as ObjectRule;
  const provenance = payload.provenance;
  if (!isJsonObject(provenance)) return null;
  const stableId = text(payload[rule.idField]);
  const objectType = rule.objectType(payload);
  const contentHash = rule.contentHash(payload, provenance);
  const fileHash = text(provenance.file_hash);
  const sourcePath = rule.table === 'chunks' ? text(payload.source_path) : text(provenance.source_path);
  const packageId = text(provenance.package_id);
  if (!stableId || !objectType || !contentHash || !fileHash || !sourcePath || !packageId) return null;
  return {
    table: rule.table,
    stableId,
    category: rule.table === 'tags' || rule.table === 'affordances' ? (text(payload.category) ?? '') : '',
    objectType,
    contentHash,
    fileHash,
    sourcePath,
    packageId,
    logPhase: rule.logPhase,
    logAction: rule.logAction,
  };
}

/** The table an object event type projects into (null for the manifest and completion events). */
export function projectionTableOf(eventType: string): ProjectionTable | null {
  return OBJECT_RULES[eventType]?.table ?? null;
}
