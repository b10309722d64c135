/**
 * Applies an ImportPlan inside one transaction: lock the campaign, detect a rerun, detect collisions and
 * idempotent skips against the campaign, then append the hash-chained events, projections, ImportLog rows
 * and the import row, phase by phase. Any error leaves the transaction to roll back: nothing is visible.
 */
import { nfc } from '../canonical/index.js';
import type { Session } from '../db/database.js';
import { PackageRejectedError, type Phase } from '../errors.js';
import { formatWallTime, ZERO_HASH } from '../ledger/envelope.js';
import type { PlanIdentity, PlanPart, PlanSummary } from '../plan/plan-import.js';
import type { PlannedEvent, PlannedObject } from '../plan/types.js';
import { ChainBuilder, EventWriter } from './event-writer.js';
import type { FaultPoints } from './faults.js';
import {
  type CommittedImportRow,
  createCampaign,
  type ExistingObjectRow,
  eventWriter,
  findCommittedImport,
  findExistingObjects,
  importLogWriter,
  insertImport,
  type LogRow,
  lockCampaign,
  PROJECTION_TABLES,
  type ProjectionRow,
  preferLz4Compression,
  projectionWriter,
  readCampaignState,
  reserveImportId,
  sameOntologyDefinitions,
} from './import-sql.js';
import { type TableWriter, writeRows } from './row-writer.js';

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
  onProgress: (eventsWritten: number) => void;
  /** Milliseconds since the attempt started (for the import row's duration). */
  elapsedMs: () => number;
  /** Throws if the import was asked to stop; called before each part is written and before the commit. */
  checkInterrupted: () => Promise<void>;
  /** Aborted when the import is asked to stop: cancels a wait for the campaign lock. */
  signal?: AbortSignal;
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
  /** The plan's summary (counts, state digest), known once every object was written. */
  summary: PlanSummary;
}

/**
 * The manifest was committed in the campaign while this import was being planned: `noop` from the same files
 * with the same settings; otherwise (`manifest_imported`: other files, the other embeddings setting) the caller
 * decides as it does for a rerun, outside the transaction.
 */
export interface AlreadyImported {
  kind: 'noop';
  existing: CommittedImportRow;
}
export interface ManifestImported {
  kind: 'manifest_imported';
  existing: CommittedImportRow;
}

export type ApplyResult = AppliedImport | AlreadyImported | ManifestImported;

/** The phase currently being written, so that a failure can be attributed to it. */
export class PhaseTracker {
  current: WritePhase = 'manifest';
}

const OBJECT_LOG_PHASE: Record<PlannedObject['kind'], string> = {
  entity: 'entity',
  edge: 'edge',
  tag: 'ontology',
  affordance: 'ontology',
  chunk: 'lore',
};

const OBJECT_PHASE: Record<PlannedObject['kind'], WritePhase> = {
  entity: 'entity',
  edge: 'edge',
  tag: 'ontology',
  affordance: 'ontology',
  chunk: 'lore',
};

/** A plan being made: its manifest part, then its objects phase by phase and its summary as they come. */
export interface PlanStream {
  identity: PlanIdentity;
  manifestEvent: PlannedEvent;
  /** `objects` parts in write order, then the `summary` part. */
  rest: AsyncIterator<PlanPart>;
}

const OBJECT_PHASES = ['entity', 'edge', 'ontology', 'lore'] as const;

/**
 * The ImportLog rows of an import (NOTES.md §5.2: the manifest, one per object, the summary), numbered in
 * order and written a batch at a time.
 */
class ImportLogRows {
  private pending: LogRow[] = [];
  next: bigint;

  constructor(
    private readonly tx: Session,
    private readonly table: TableWriter<LogRow>,
    firstSequenceNo: bigint,
    private readonly batchSize: number,
  ) {
    this.next = firstSequenceNo;
  }

  add(row: Omit<LogRow, 'sequenceNo'>): void {
    this.pending.push({ ...row, sequenceNo: this.next });
    this.next += 1n;
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    await writeRows(this.tx, this.table, rows, this.batchSize);
  }
}

export async function applyPlan(
  tx: Session,
  plan: PlanStream,
  ctx: ApplyContext,
  tracker: PhaseTracker,
): Promise<ApplyResult> {
  const { identity } = plan;
  await lockCampaign(tx, ctx.campaign, ctx.lockTimeout, ctx.signal);
  await preferLz4Compression(tx);
  // Under the lock: a concurrent import of the same package has either committed (we see it) or not started.
  const existing = await findCommittedImport(tx, ctx.campaign, { manifestHash: identity.manifestHash });
  if (existing) {
    return { kind: existing.files_digest === identity.filesDigest ? 'noop' : 'manifest_imported', existing };
  }

  const wallTimeIso = formatWallTime(ctx.wallTimeMicros);
  const state = await readCampaignState(tx, ctx.campaign);
  const campaignId = state?.campaign_id ?? (await createCampaign(tx, ctx.campaign, wallTimeIso));
  const importId = await reserveImportId(tx);

  const firstOrdinal = state?.last_ordinal == null ? 0n : BigInt(state.last_ordinal) + 1n;
  const firstSequenceNo = state?.last_sequence_no == null ? 1n : BigInt(state.last_sequence_no) + 1n;
  const chain = new ChainBuilder(campaignId, firstOrdinal, state?.tip ?? ZERO_HASH, ctx.wallTimeMicros);
  const writer = new EventWriter(
    tx,
    eventWriter({ campaignId, importId, wallTimeMicros: ctx.wallTimeMicros }),
    chain,
    ctx,
  );
  const eventTypes = new Map<string, number>();
  const countType = (event: PlannedEvent) =>
    eventTypes.set(event.eventType, (eventTypes.get(event.eventType) ?? 0) + 1);
  const log = new ImportLogRows(
    tx,
    importLogWriter({
      campaignId,
      importId,
      manifestHash: identity.manifestHash,
      loggedAtMicros: ctx.wallTimeMicros,
    }),
    firstSequenceNo,
    ctx.batchSize,
  );
  const skippedByPhase: Partial<Record<Phase, number>> = {};
  let eventsAppended = 0;
  let objectsSkipped = 0;

  // manifest
  await enterPhase(tx, 'manifest', ctx, tracker);
  let endPhase = ctx.onPhase('manifest');
  const manifestOrdinal = await writer.appendOne(plan.manifestEvent);
  countType(plan.manifestEvent);
  eventsAppended += 1;
  log.add({
    phase: 'manifest',
    objectType: 'package',
    stableId: identity.packageId,
    fileHash: identity.manifestHash,
    action: 'validated',
    eventOrdinal: manifestOrdinal,
  });

  // entity, edge, ontology, lore: each batch's events, projections and ImportLog rows, as the plan comes
  let phaseIndex = -1;
  const enterObjectPhase = async (phase: (typeof OBJECT_PHASES)[number] | 'finalization') => {
    const target = phase === 'finalization' ? OBJECT_PHASES.length : OBJECT_PHASES.indexOf(phase);
    while (phaseIndex < target) {
      endPhase();
      phaseIndex += 1;
      const next = OBJECT_PHASES[phaseIndex] ?? 'finalization';
      await enterPhase(tx, next, ctx, tracker);
      endPhase = ctx.onPhase(next);
    }
  };
  let summary: PlanSummary | undefined;
  for (let part = await plan.rest.next(); !part.done; part = await plan.rest.next()) {
    await ctx.checkInterrupted();
    const { value } = part;
    if (value.kind === 'summary') {
      summary = value.summary;
      break;
    }
    if (value.kind !== 'objects') continue;
    await enterObjectPhase(value.phase);
    const skipped = state
      ? await findSkippedObjects(tx, value.objects, campaignId, ctx.campaign, identity).catch((collision) =>
          rejectedFirstByPlan(plan.rest, collision),
        )
      : new Set<PlannedObject>();
    const written = value.objects.filter((object) => !skipped.has(object));
    const ordinals = new Map<PlannedObject, bigint>();
    await writer.append(
      written,
      (object) => object.event,
      (object, ordinal) => {
        ordinals.set(object, ordinal);
        countType(object.event);
      },
    );
    eventsAppended += written.length;
    await writeProjections(tx, identity.packageId, campaignId, written, ordinals, ctx.batchSize);
    for (const object of value.objects) {
      const isSkipped = skipped.has(object);
      if (isSkipped) {
        const phase = OBJECT_PHASE[object.kind] as Phase;
        skippedByPhase[phase] = (skippedByPhase[phase] ?? 0) + 1;
        objectsSkipped += 1;
      }
      log.add({
        phase: OBJECT_LOG_PHASE[object.kind],
        objectType: object.objectType,
        stableId: object.stableId,
        fileHash: object.contentHash,
        action: isSkipped ? 'skipped' : object.kind === 'chunk' ? 'ingested' : 'created',
        eventOrdinal: ordinals.get(object) ?? null,
      });
    }
    await log.flush();
  }
  if (!summary) throw new Error('the plan ended without its summary');

  // finalization: the completion event, the ImportLog's summary row, the import row
  await enterObjectPhase('finalization');
  const lastOrdinal = await writer.appendOne(summary.completionEvent);
  countType(summary.completionEvent);
  eventsAppended += 1;

  await ctx.faults.reach('before-import-log', tx);
  log.add({
    phase: 'finalization',
    objectType: 'summary',
    stableId: `summary-${identity.packageId}`,
    fileHash: summary.stateDigest,
    action: 'completed',
    eventOrdinal: lastOrdinal,
  });
  await log.flush();
  const tipHash = chain.tip.toString('hex');
  await insertImport(tx, {
    id: importId,
    campaignId,
    packageId: identity.packageId,
    manifestHash: identity.manifestHash,
    stateDigest: summary.stateDigest,
    filesDigest: identity.filesDigest,
    firstOrdinal,
    lastOrdinal,
    tipHash,
    counts: { ...summary.counts },
    eventsAppended,
    objectsSkipped,
    firstSequenceNo,
    lastSequenceNo: log.next - 1n,
    durationMs: ctx.elapsedMs(),
    committedAtIso: wallTimeIso,
  });
  endPhase();
  await ctx.faults.reach('before-commit', tx);
  await ctx.checkInterrupted();

  return {
    kind: 'committed',
    importId,
    campaignId,
    firstOrdinal,
    lastOrdinal,
    tipHash,
    eventsAppended,
    objectsSkipped,
    skippedByPhase,
    eventTypes,
    summary,
  };
}

/**
 * A collision with the campaign is reported only for a package that is valid as a whole, as when the plan was
 * complete before any write: the rest of the plan is made first, and its own rejection, if any, wins.
 */
async function rejectedFirstByPlan(rest: AsyncIterator<PlanPart>, collision: unknown): Promise<never> {
  for (let part = await rest.next(); !part.done; part = await rest.next()) {
    // only the plan's rejection matters now
  }
  throw collision;
}

async function enterPhase(
  tx: Session,
  phase: WritePhase,
  ctx: ApplyContext,
  tracker: PhaseTracker,
): Promise<void> {
  tracker.current = phase;
  await ctx.checkInterrupted();
  await ctx.faults.reach(`before-phase:${phase}`, tx);
}

/**
 * Objects already in the campaign: the same content is an idempotent skip (no event, an ImportLog row with
 * action `skipped`); the same id with other content is a collision that rejects the whole import.
 */
async function findSkippedObjects(
  tx: Session,
  batch: readonly PlannedObject[],
  campaignId: string,
  campaign: string,
  identity: PlanIdentity,
): Promise<Set<PlannedObject>> {
  const skipped = new Set<PlannedObject>();
  for (const kind of Object.keys(PROJECTION_TABLES) as PlannedObject['kind'][]) {
    const objects = batch.filter((o) => o.kind === kind);
    if (objects.length === 0) continue;
    const byKey = new Map(objects.map((o) => [objectKey(o.stableId, o.category), o]));
    const rows = await findExistingObjects(tx, PROJECTION_TABLES[kind], campaignId, [
      ...new Set(objects.map((o) => o.stableId)),
    ]);
    let differing: { row: ExistingObjectRow; object: PlannedObject }[] = [];
    for (const row of rows) {
      const object = byKey.get(objectKey(row.stable_id, row.category));
      if (!object) continue;
      if (row.content_hash === object.contentHash) skipped.add(object);
      else differing.push({ row, object });
    }
    // A tag or affordance's content hash is its whole file's: the same definition in a file that changed around it
    // (another tag added, say) is the same content, skipped like any other.
    if ((kind === 'tag' || kind === 'affordance') && differing.length > 0) {
      const same = await sameOntologyDefinitions(
        tx,
        PROJECTION_TABLES[kind],
        campaignId,
        differing.map(({ object }) => ({
          stableId: object.stableId,
          category: object.category,
          payload: object.event.payloadCanonical.toString('utf8'),
        })),
      );
      const sameKeys = new Set(same.map((row) => objectKey(row.stable_id, row.category)));
      differing = differing.filter(({ object }) => {
        if (!sameKeys.has(objectKey(object.stableId, object.category))) return true;
        skipped.add(object);
        return false;
      });
    }
    for (const { row, object } of differing) {
      const phase = OBJECT_PHASE[object.kind] as Exclude<Phase, 'manifest' | 'finalization'>;
      const code = phase === 'ontology' ? 'ontology.conflict' : (`${phase}.collision` as const);
      throw new PackageRejectedError(
        phase,
        code,
        `${object.sourcePath}: ${describeKind(object)} '${object.stableId}' is already in campaign '${campaign}' with ` +
          `${phase === 'ontology' ? 'another definition' : 'other content'} (package ${row.package_id}, ${row.source_path}, hash ${row.content_hash}; this package: hash ` +
          `${object.contentHash})`,
        {
          file: object.sourcePath,
          stable_id: object.stableId,
          actual_hash: object.contentHash,
          package_id: identity.packageId,
          manifest_hash: identity.manifestHash,
          campaign,
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
  packageId: string,
  campaignId: string,
  objects: readonly PlannedObject[],
  ordinals: ReadonlyMap<PlannedObject, bigint>,
  batchSize: number,
): Promise<void> {
  for (const kind of Object.keys(PROJECTION_TABLES) as PlannedObject['kind'][]) {
    if (!objects.some((object) => object.kind === kind)) continue;
    const writer = projectionWriter(PROJECTION_TABLES[kind], { campaignId, packageId });
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
      // As the event says it: its payload is canonical JSON, whose strings are NFC (a file name need not be: macOS
      // writes é decomposed), and a projection row is what its event says.
      sourcePath: nfc(object.sourcePath),
      contentHash: object.contentHash,
      fileHash: object.fileHash,
      ordinal: ordinals.get(object) ?? -1n,
      payloadCanonical: object.event.payloadCanonical,
    };
  }
}
