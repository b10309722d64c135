/**
 * From a package directory to a complete, deterministic ImportPlan. No database is involved:
 * `readPackage` does the only I/O, the phases and everything below are pure.
 */
import { CanonicalJsonError, canonicalHashHex, canonicalJsonBytes } from '../canonical/index.js';
import { PackageRejectedError, type Phase, type RejectionCode } from '../errors.js';
import { payloadHash, topLevelRulesetVersion } from '../ledger/envelope.js';
import { readPackage } from '../package/read-package.js';
import { edgePhase } from '../phases/edges.js';
import { entityPhase } from '../phases/entities.js';
import { lorePhase } from '../phases/lore.js';
import { ontologyPhase } from '../phases/ontology.js';
import {
  DEFAULT_PLAN_OPTIONS,
  type PackageSnapshot,
  type PhaseRecord,
  type PlanOptions,
} from '../phases/types.js';
import { DIGEST_PHASE, manifestComponent, stateDigest } from './state-digest.js';
import { type Counts, EVENT_TYPES, type ImportPlan, type PlannedEvent, type PlannedObject } from './types.js';

export async function planImport(dir: string, options: Partial<PlanOptions> = {}): Promise<ImportPlan> {
  const resolved = { ...DEFAULT_PLAN_OPTIONS, ...options };
  return planSnapshot(await readPackage(dir, resolved), resolved);
}

export function planSnapshot(
  snapshot: PackageSnapshot,
  options: PlanOptions = DEFAULT_PLAN_OPTIONS,
): ImportPlan {
  try {
    return assemblePlan(snapshot, options);
  } catch (error) {
    // Every rejection after the manifest parsed names the package it concerns.
    if (error instanceof PackageRejectedError) {
      error.facts.package_id ??= snapshot.manifest.packageId;
      error.facts.manifest_hash ??= snapshot.manifest.manifestHash;
    }
    throw error;
  }
}

function assemblePlan(snapshot: PackageSnapshot, options: PlanOptions): ImportPlan {
  const { manifest } = snapshot;
  // Each phase's records are canonicalised as soon as the phase is done, so their parsed payload trees can be
  // collected while the next phase runs (a 200k-object package would otherwise hold every tree at once).
  const entityRecords = entityPhase(snapshot, options);
  const entities = entityRecords.map(toPlannedObject);
  const edges = edgePhase(snapshot, entityRecords, options).map(toPlannedObject);
  entityRecords.length = 0;
  const ontology = ontologyPhase(snapshot, options);
  const ontologyObjects = ontology.records.map(toPlannedObject);
  const chunks = lorePhase(snapshot, options).map(toPlannedObject);
  const objects = [...entities, ...edges, ...ontologyObjects, ...chunks];

  const counts: Counts = {
    entities: entities.length,
    edges: edges.length,
    tags: ontologyObjects.filter((r) => r.kind === 'tag').length,
    affordances: ontologyObjects.filter((r) => r.kind === 'affordance').length,
    chunks: chunks.length,
  };
  const digest = stateDigest([
    manifestComponent(manifest.packageId, manifest.manifestHash),
    ...objects.map((r) => ({
      phase: DIGEST_PHASE[r.kind],
      stable_id: r.stableId,
      content_hash: r.contentHash,
    })),
  ]);

  const manifestEvent = plannedEvent('manifest', EVENT_TYPES.manifest, {
    package_id: manifest.raw.package_id,
    manifest_hash: manifest.manifestHash,
    schema_version: manifest.raw.schema_version,
    ruleset_version: manifest.raw.ruleset_version,
  });
  const completionEvent = plannedEvent('finalization', EVENT_TYPES.complete, {
    package_id: manifest.packageId,
    manifest_hash: manifest.manifestHash,
    entity_count: counts.entities,
    edge_count: counts.edges,
    tag_count: counts.tags,
    affordance_count: counts.affordances,
    chunk_count: counts.chunks,
    state_digest: digest,
  });

  return {
    packageId: manifest.packageId,
    manifestHash: manifest.manifestHash,
    rulesetVersion: manifest.rulesetVersion,
    schemaVersion: manifest.schemaVersion,
    manifestEvent,
    objects,
    completionEvent,
    counts,
    stateDigest: digest,
    filesDigest: computeFilesDigest(snapshot),
    warnings: ontology.warnings,
  };
}

/** SHA-256 over the path and raw hash of every file the package read (manifest, listed and discovered files). */
export function computeFilesDigest(snapshot: Pick<PackageSnapshot, 'fingerprints'>): string {
  return canonicalHashHex({ files: snapshot.fingerprints.map((f) => [f.path, f.rawHash]) });
}

/** The code for a value the ledger cannot store (NaN, a number beyond int64, a lone surrogate). */
const CANONICAL_FAILURE_CODE = {
  manifest: 'manifest.schema',
  finalization: 'manifest.schema',
  entity: 'entity.invalid',
  edge: 'edge.invalid',
  ontology: 'ontology.invalid',
  lore: 'lore.front_matter',
} as const satisfies Record<Phase, RejectionCode>;

const RECORD_PHASE: Record<PhaseRecord['kind'], Phase> = {
  entity: 'entity',
  edge: 'edge',
  tag: 'ontology',
  affordance: 'ontology',
  chunk: 'lore',
};

function toPlannedObject(record: PhaseRecord): PlannedObject {
  const { payload, ...rest } = record;
  const event = plannedEvent(RECORD_PHASE[record.kind], EVENT_TYPES[record.kind], payload, record);
  return { ...rest, event };
}

/**
 * Canonicalises a payload. Ledger payloads follow the reference's canonical JSON, extended so that finite
 * non-integral numbers (e.g. an edge's `distance: 2.5`) are written as Python's repr (ADR 0002).
 */
function plannedEvent(
  phase: Phase,
  eventType: string,
  payload: Record<string, unknown>,
  record?: PhaseRecord,
): PlannedEvent {
  let canonical: Buffer;
  try {
    canonical = canonicalJsonBytes(payload, { floats: 'python-repr' });
  } catch (error) {
    if (!(error instanceof CanonicalJsonError)) throw error;
    const where = record ? `${record.sourcePath} (${record.stableId})` : 'package.manifest.json';
    const code = CANONICAL_FAILURE_CODE[phase];
    throw new PackageRejectedError(
      phase === 'finalization' ? 'manifest' : phase,
      code,
      `${where}: cannot be stored in the ledger: ${error.message}`,
      record ? { file: record.sourcePath, stable_id: record.stableId } : { file: 'package.manifest.json' },
      { cause: error },
    );
  }
  return {
    eventType,
    payloadCanonical: canonical,
    payloadHash: payloadHash(canonical),
    rulesetVersion: topLevelRulesetVersion(canonical),
  };
}
