/**
 * Applies an ImportPlan inside one transaction: lock the campaign, detect a rerun, detect collisions and
 * idempotent skips against the campaign, then append the hash-chained events, projections, ImportLog rows
 * and the import row, phase by phase. Any error leaves the transaction to roll back: nothing is visible.
 */
import type { Session } from '../db/database.js';
import { PackageRejectedError, type Phase } from '../errors.js';
import { ZERO_HASH, envelopeHash, formatWallTime, idempotencyKeyV2 } from '../ledger/envelope.js';
import { importLogEntries } from '../plan/import-log.js';
import type { ImportPlan, PlannedEvent, PlannedObject } from '../plan/types.js';
import type { FaultPoints } from './faults.js';
import {
  type CommittedImportRow,
  type EventRow,
  type LogRow,
  PROJECTION_TABLES,
  type ProjectionRow,
  createCampaign,
  findCommittedImport,
  findExistingObjects,
  insertEvents,
  insertImport,
  insertImportLog,
  insertProjections,
  lockCampaign,
  readCampaignState,
  reserveImportId,
} from './import-sql.js';

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
  const writer = new EventWriter(tx, { campaignId, importId, wallTimeIso }, ctx, eventsTotal);
  const ordinals = new Map<PlannedObject, bigint>();
  const eventTypes = new Map<string, number>();
  const countType = (event: PlannedEvent) => eventTypes.set(event.eventType, (eventTypes.get(event.eventType) ?? 0) + 1);

  // manifest
  await enterPhase(tx, 'manifest', ctx, tracker);
  const endManifest = ctx.onPhase('manifest');
  const manifestOrdinal = await writer.append(chain.next(plan.manifestEvent));
  countType(plan.manifestEvent);
  endManifest();

  // entity, edge, ontology, lore: events then projections, phase by phase
  for (const phase of ['entity', 'edge', 'ontology', 'lore'] as const) {
    await enterPhase(tx, phase, ctx, tracker);
    const endPhase = ctx.onPhase(phase);
    const objects = plan.objects.filter((o) => OBJECT_PHASE[o.kind] === phase && !skipped.has(o));
    for (const object of objects) {
      ordinals.set(object, await writer.append(chain.next(object.event)));
      countType(object.event);
    }
    await writer.flush();
    await writeProjections(tx, plan, campaignId, objects, ordinals, ctx.batchSize);
    endPhase();
  }

  // finalization: the completion event, the ImportLog, the import row
  await enterPhase(tx, 'finalization', ctx, tracker);
  const endFinalization = ctx.onPhase('finalization');
  const lastOrdinal = await writer.append(chain.next(plan.completionEvent));
  countType(plan.completionEvent);
  await writer.flush();

  await ctx.faults.reach('before-import-log', tx);
  const logRows = buildLogRows(plan, firstSequenceNo, skipped, ordinals, manifestOrdinal, lastOrdinal);
  for (let i = 0; i < logRows.length; i += ctx.batchSize) {
    await insertImportLog(
      tx,
      { campaignId, importId, manifestHash: plan.manifestHash, loggedAtIso: wallTimeIso },
      logRows.slice(i, i + ctx.batchSize),
    );
  }
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
    lastSequenceNo: firstSequenceNo + BigInt(logRows.length) - 1n,
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

async function enterPhase(tx: Session, phase: WritePhase, ctx: ApplyContext, tracker: PhaseTracker): Promise<void> {
  tracker.current = phase;
  await ctx.faults.reach(`before-phase:${phase}`, tx);
}

/**
 * Objects already in the campaign: the same content is an idempotent skip (no event, an ImportLog row with
 * action `skipped`); the same id with other content is a collision that rejects the whole import.
 */
async function findSkippedObjects(tx: Session, plan: ImportPlan, campaignId: string): Promise<Set<PlannedObject>> {
  const skipped = new Set<PlannedObject>();
  for (const kind of Object.keys(PROJECTION_TABLES) as PlannedObject['kind'][]) {
    const objects = plan.objects.filter((o) => o.kind === kind);
    if (objects.length === 0) continue;
    const byKey = new Map(objects.map((o) => [objectKey(o.stableId, o.category), o]));
    const rows = await findExistingObjects(tx, PROJECTION_TABLES[kind], campaignId, [...new Set(objects.map((o) => o.stableId))]);
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
  return object.kind === 'chunk' ? 'chunk' : object.kind === 'tag' || object.kind === 'affordance' ? `${object.kind} (${object.category})` : object.kind;
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
    const rows: ProjectionRow[] = [];
    for (const object of objects) {
      if (object.kind !== kind) continue;
      rows.push({
        stableId: object.stableId,
        category: object.category,
        objectType: object.objectType,
        sourcePath: object.sourcePath,
        contentHash: object.contentHash,
        fileHash: object.fileHash,
        ordinal: ordinals.get(object) ?? -1n,
        payloadCanonical: object.event.payloadCanonical,
      });
    }
    for (let i = 0; i < rows.length; i += batchSize) {
      await insertProjections(
        tx,
        PROJECTION_TABLES[kind],
        { campaignId, packageId: plan.packageId },
        rows.slice(i, i + batchSize),
      );
    }
  }
}

function buildLogRows(
  plan: ImportPlan,
  firstSequenceNo: bigint,
  skipped: ReadonlySet<PlannedObject>,
  ordinals: ReadonlyMap<PlannedObject, bigint>,
  manifestOrdinal: bigint,
  completionOrdinal: bigint,
): LogRow[] {
  return importLogEntries(plan).map((entry, index) => {
    const isSkipped = entry.object !== null && skipped.has(entry.object);
    const eventOrdinal =
      entry.object !== null
        ? (ordinals.get(entry.object) ?? null)
        : entry.action === 'validated'
          ? manifestOrdinal
          : completionOrdinal;
    return {
      sequenceNo: firstSequenceNo + BigInt(index),
      phase: entry.phase,
      objectType: entry.objectType,
      stableId: entry.stableId,
      fileHash: entry.fileHash,
      action: isSkipped ? 'skipped' : entry.action,
      eventOrdinal: isSkipped ? null : eventOrdinal,
    };
  });
}

/** Computes ordinals, idempotency keys and envelope hashes, each event linking to the previous one. */
class ChainBuilder {
  private ordinal: bigint;
  tip: Buffer;

  constructor(
    private readonly campaignId: string,
    firstOrdinal: bigint,
    tip: Buffer,
    private readonly wallTimeMicros: bigint,
  ) {
    this.ordinal = firstOrdinal;
    this.tip = Buffer.from(tip);
  }

  next(event: PlannedEvent): EventRow {
    const idempotencyKey = idempotencyKeyV2({
      campaignId: this.campaignId,
      eventType: event.eventType,
      rulesetVersion: event.rulesetVersion,
      canonicalArgs: event.payloadCanonical,
    });
    const ordinal = this.ordinal;
    const prevEventHash = this.tip;
    const hash = envelopeHash({
      campaignId: this.campaignId,
      replayOrdinal: ordinal,
      eventType: event.eventType,
      schemaVersion: 1,
      worldTime: ordinal,
      wallTimeMicros: this.wallTimeMicros,
      prevEventHash,
      payloadHash: event.payloadHash,
      idempotencyKey,
    });
    this.ordinal += 1n;
    this.tip = hash;
    return {
      ordinal,
      eventType: event.eventType,
      prevEventHash,
      payloadHash: event.payloadHash,
      idempotencyKey,
      envelopeHash: hash,
      payloadCanonical: event.payloadCanonical,
    };
  }
}

/** Buffers events into multi-row inserts; flushes exactly at `after-events:<n>` fault points. */
class EventWriter {
  private buffer: EventRow[] = [];
  private written = 0;
  private appended = 0;

  constructor(
    private readonly tx: Session,
    private readonly shared: { campaignId: string; importId: string; wallTimeIso: string },
    private readonly ctx: ApplyContext,
    private readonly total: number,
  ) {}

  async append(row: EventRow): Promise<bigint> {
    this.buffer.push(row);
    this.appended += 1;
    if (this.buffer.length >= this.ctx.batchSize) await this.flush();
    if (this.ctx.faults.eventThresholds.has(this.appended)) {
      await this.flush();
      await this.ctx.faults.reach(`after-events:${this.appended}`, this.tx);
    }
    return row.ordinal;
  }

  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const rows = this.buffer;
    this.buffer = [];
    await insertEvents(this.tx, this.shared, rows);
    this.written += rows.length;
    this.ctx.onProgress(this.written, this.total);
  }
}
