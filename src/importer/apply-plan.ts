/**
 * Applies an ImportPlan inside one transaction: lock the campaign, detect a rerun, detect collisions and
 * idempotent skips against the campaign, then append the hash-chained events, projections, ImportLog rows
 * and the import row, phase by phase. Any error leaves the transaction to roll back: nothing is visible.
 */
import type { Session } from '../db/database.js';
import { PackageRejectedError, type Phase } from '../errors.js';
import { formatWallTime, ZERO_HASH } from '../ledger/envelope.js';
import { importLogEntries, type PlannedLogEntry } from '../plan/import-log.js';
import type { ImportPlan, PlannedEvent, PlannedObject } from '../plan/types.js';
import { ChainBuilder, EventWriter } from './event-writer.js';
import type { FaultPoints } from './faults.js';
import {
  type CommittedImportRow,
  createCampaign,
  eventWriter,
  findCommittedImport,
  findExistingObjects,
  importLogWriter,
  insertImport,
  type LogRow,
  lockCampaign,
  PROJECTION_TABLES,
  type ProjectionRow,
  projectionWriter,
  readCampaignState,
  reserveImportId,
} from './import-sql.js';
import { writeRows } from './row-writer.js';

export const WRITE_PHASES = ['manifest', 'entity', 'edge', 'ontology', 'lore', 'finalization'] as const;
export type WritePhase = (typeof WRITE_PHASES)[number];

export interface ApplyContext {
  campaign: string;
  /** Wall time of this import (one reading for all its events), microseconds since the epoch. */
  wallTimeMicros: bigint;
  lockTimeout: string;
  batchSize: number;
  faults: FaultPoints;
  /** Called when a write phase starts; returns a function to call when it ends. */
  onPhase: (phase: WritePhase) => () => void;
  onProgress: (eventsWritten: number, eventsTotal: number) => void;
  /** Milliseconds since the attempt started (for the import row's duration). */
  elapsedMs: () => number;
}

export interface AppliedImport {
  kind: 'committed';
  importId: string;
  campaignId: string;
  firstOrdinal: bigint;
  lastOrdinal: bigint;
  tipHash: string;
  eventsAppended: number;
  objectsSkipped: number;
  skippedByPhase: Partial<Record<Phase, number>>;
  eventTypes: Map<string, number>;
}

export interface AlreadyImported {
  kind: 'noop';
  existing: CommittedImportRow;
}

export type ApplyResult = AppliedImport | AlreadyImported;

/** The phase currently being written, so that a failure can be attributed to it. */
export class PhaseTracker {
  current: WritePhase = 'manifest';
}

const OBJECT_PHASE: Record<PlannedObject['kind'], WritePhase> = {
  entity: 'entity',
  edge: 'edge',
  tag: 'ontology',
  affordance: 'ontology',
  chunk: 'lore',
};

export async function applyPlan(
  tx: Session,
  plan: ImportPlan,
  ctx: ApplyContext,
  tracker: PhaseTracker,
): Promise<ApplyResult> {
  await lockCampaign(tx, ctx.campaign, ctx.lockTimeout);
  // Under the lock: a concurrent import of the same package has either committed (we see it) or not started.
  const existing = await findCommittedImport(tx, ctx.campaign, plan.manifestHash);
  if (existing) return { kind: 'noop', existing };

  const wallTimeIso = formatWallTime(ctx.wallTimeMicros);
  const state = await readCampaignState(tx, ctx.campaign);
  const campaignId = state?.campaign_id ?? (await createCampaign(tx, ctx.campaign, wallTimeIso));
  const skipped = state ? await findSkippedObjects(tx, plan, campaignId) : new Set<PlannedObject>();
  const importId = await reserveImportId(tx);

  const firstOrdinal = state?.last_ordinal == null ? 0n : BigInt(state.last_ordinal) + 1n;
  const firstSequenceNo = state?.last_sequence_no == null ? 1n : BigInt(state.last_sequence_no) + 1n;
  const chain = new ChainBuilder(campaignId, firstOrdinal, state?.tip ?? ZERO_HASH, ctx.wallTimeMicros);
  const eventsTotal = plan.objects.length - skipped.size + 2;
  const writer = new EventWriter(
    tx,
    eventWriter({ campaignId, importId, wallTimeMicros: ctx.wallTimeMicros }),
    chain,
    ctx,
    eventsTotal,
  );
  const ordinals = new Map<PlannedObject, bigint>();
  const eventTypes = new Map<string, number>();
  const countType = (event: PlannedEvent) =>
    eventTypes.set(event.eventType, (eventTypes.get(event.eventType) ?? 0) + 1);

  // manifest
  await enterPhase(tx, 'manifest', ctx, tracker);
  const endManifest = ctx.onPhase('manifest');
  const manifestOrdinal = await writer.appendOne(plan.manifestEvent);
  countType(plan.manifestEvent);
  endManifest();

  // entity, edge, ontology, lore: events then projections, phase by phase
  for (const phase of ['entity', 'edge', 'ontology', 'lore'] as const) {
    await enterPhase(tx, phase, ctx, tracker);
    const endPhase = ctx.onPhase(phase);
    const objects = plan.objects.filter((o) => OBJECT_PHASE[o.kind] === phase && !skipped.has(o));
    await writer.append(
      objects,
      (object) => object.event,
      (object, ordinal) => {
        ordinals.set(object, ordinal);
        countType(object.event);
      },
    );
    await writeProjections(tx, plan, campaignId, objects, ordinals, ctx.batchSize);
    endPhase();
  }

  // finalization: the completion event, the ImportLog, the import row
  await enterPhase(tx, 'finalization', ctx, tracker);
  const endFinalization = ctx.onPhase('finalization');
  const lastOrdinal = await writer.appendOne(plan.completionEvent);
  countType(plan.completionEvent);

  await ctx.faults.reach('before-import-log', tx);
  const logEntries = importLogEntries(plan);
  await writeRows(
    tx,
    importLogWriter({
      campaignId,
      importId,
      manifestHash: plan.manifestHash,
      loggedAtMicros: ctx.wallTimeMicros,
    }),
    logRows(logEntries, firstSequenceNo, skipped, ordinals, manifestOrdinal, lastOrdinal),
    ctx.batchSize,
  );
  const tipHash = chain.tip.toString('hex');
  await insertImport(tx, {
    id: importId,
    campaignId,
    packageId: plan.packageId,
    manifestHash: plan.manifestHash,
    stateDigest: plan.stateDigest,
    filesDigest: plan.filesDigest,
    firstOrdinal,
    lastOrdinal,
    tipHash,
    counts: { ...plan.counts },
    eventsAppended: eventsTotal,
    objectsSkipped: skipped.size,
    firstSequenceNo,
    lastSequenceNo: firstSequenceNo + BigInt(logEntries.length) - 1n,
    durationMs: ctx.elapsedMs(),
    committedAtIso: wallTimeIso,
  });
  endFinalization();
  await ctx.faults.reach('before-commit', tx);

  const skippedByPhase: Partial<Record<Phase, number>> = {};
  for (const object of skipped) {
    const phase = OBJECT_PHASE[object.kind] as Phase;
    skippedByPhase[phase] = (skippedByPhase[phase] ?? 0) + 1;
  }
  return {
    kind: 'committed',
    importId,
    campaignId,
    firstOrdinal,
    lastOrdinal,
    tipHash,
    eventsAppended: eventsTotal,
    objectsSkipped: skipped.size,
    skippedByPhase,
    eventTypes,
  };
}

async function enterPhase(
  tx: Session,
  phase: WritePhase,
  ctx: ApplyContext,
  tracker: PhaseTracker,
): Promise<void> {
  tracker.current = phase;
  await ctx.faults.reach(`before-phase:${phase}`, tx);
}

/**
 * Objects already in the campaign: the same content is an idempotent skip (no event, an ImportLog row with
 * action `skipped`); the same id with other content is a collision that rejects the whole import.
 */
async function findSkippedObjects(
  tx: Session,
  plan: ImportPlan,
  campaignId: string,
): Promise<Set<PlannedObject>> {
  const skipped = new Set<PlannedObject>();
  for (const kind of Object.keys(PROJECTION_TABLES) as PlannedObject['kind'][]) {
    const objects = plan.objects.filter((o) => o.kind === kind);
    if (objects.length === 0) continue;
    const byKey = new Map(objects.map((o) => [objectKey(o.stableId, o.category), o]));
    const rows = await findExistingObjects(tx, PROJECTION_TABLES[kind], campaignId, [
      ...new Set(objects.map((o) => o.stableId)),
    ]);
    for (const row of rows) {
      const object = byKey.get(objectKey(row.stable_id, row.category));
      if (!object) continue;
      if (row.content_hash === object.contentHash) {
        skipped.add(object);
        continue;
      }
      const phase = OBJECT_PHASE[object.kind] as Exclude<Phase, 'manifest' | 'finalization'>;
      const code = phase === 'ontology' ? 'ontology.conflict' : (`${phase}.collision` as const);
      throw new PackageRejectedError(
        phase,
        code,
        `${object.sourcePath}: ${describeKind(object)} '${object.stableId}' is already in campaign with other content ` +
          `(package ${row.package_id}, ${row.source_path}, hash ${row.content_hash}; this package: hash ${object.contentHash})`,
        {
          file: object.sourcePath,
          stable_id: object.stableId,
          actual_hash: object.contentHash,
          existing_package_id: row.package_id,
          existing_file: row.source_path,
          existing_hash: row.content_hash,
        },
      );
    }
  }
  return skipped;
}

function objectKey(stableId: string, category: string): string {
  return `${category}\u0000${stableId}`;
}

function describeKind(object: PlannedObject): string {
  return object.kind === 'chunk'
    ? 'chunk'
    : object.kind === 'tag' || object.kind === 'affordance'
      ? `${object.kind} (${object.category})`
      : object.kind;
}

async function writeProjections(
  tx: Session,
  plan: ImportPlan,
  campaignId: string,
  objects: readonly PlannedObject[],
  ordinals: ReadonlyMap<PlannedObject, bigint>,
  batchSize: number,
): Promise<void> {
  for (const kind of Object.keys(PROJECTION_TABLES) as PlannedObject['kind'][]) {
    if (!objects.some((object) => object.kind === kind)) continue;
    const writer = projectionWriter(PROJECTION_TABLES[kind], { campaignId, packageId: plan.packageId });
    await writeRows(tx, writer, projectionRows(objects, kind, ordinals), batchSize);
  }
}

function* projectionRows(
  objects: readonly PlannedObject[],
  kind: PlannedObject['kind'],
  ordinals: ReadonlyMap<PlannedObject, bigint>,
): Generator<ProjectionRow> {
  for (const object of objects) {
    if (object.kind !== kind) continue;
    yield {
      stableId: object.stableId,
      category: object.category,
      objectType: object.objectType,
      sourcePath: object.sourcePath,
      contentHash: object.contentHash,
      fileHash: object.fileHash,
      ordinal: ordinals.get(object) ?? -1n,
      payloadCanonical: object.event.payloadCanonical,
    };
  }
}

function* logRows(
  entries: readonly PlannedLogEntry[],
  firstSequenceNo: bigint,
  skipped: ReadonlySet<PlannedObject>,
  ordinals: ReadonlyMap<PlannedObject, bigint>,
  manifestOrdinal: bigint,
  completionOrdinal: bigint,
): Generator<LogRow> {
  for (const [index, entry] of entries.entries()) {
    const isSkipped = entry.object !== null && skipped.has(entry.object);
    const eventOrdinal =
      entry.object !== null
        ? (ordinals.get(entry.object) ?? null)
        : entry.action === 'validated'
          ? manifestOrdinal
          : completionOrdinal;
    yield {
      sequenceNo: firstSequenceNo + BigInt(index),
      phase: entry.phase,
      objectType: entry.objectType,
      stableId: entry.stableId,
      fileHash: entry.fileHash,
      action: isSkipped ? 'skipped' : entry.action,
      eventOrdinal: isSkipped ? null : eventOrdinal,
    };
  }
}
