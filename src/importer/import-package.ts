/**
 * `chronicle import`: read the package, detect a rerun cheaply, plan, apply in one transaction, and record
 * the attempt. Returns a typed result for every outcome; only a fault injected after the commit escapes as
 * an exception (it simulates a crash).
 */

import { type Clock, type IdGenerator, randomRunId, systemClock } from '../clock.js';
import type { Database, ReservedSession, Session } from '../db/database.js';
import { sqlStateOf } from '../db/sql-errors.js';
import {
  ChronicleError,
  CommitUnconfirmedError,
  CommitUnknownError,
  InternalError,
  InterruptedError,
  PackageRejectedError,
  type Phase,
  UsageError,
} from '../errors.js';
import { eventLoopTurns } from '../event-loop-turns.js';
import { formatWallTime } from '../ledger/envelope.js';
import { LOG_EVENTS, type Logger, silentLogger } from '../observability/logger.js';
import { Metrics } from '../observability/metrics.js';
import { quickFingerprints, quickPackageId } from '../package/quick-fingerprints.js';
import {
  type ListedPackage,
  listPackage,
  type OpenedPackage,
  openListedPackage,
} from '../package/read-package.js';
import { DEFAULT_PLAN_OPTIONS, type PlanOptions } from '../phases/types.js';
import { computeFilesDigest } from '../plan/plan-import.js';
import type { Counts } from '../plan/types.js';
import { type ApplyResult, applyPlan, PhaseTracker, type WritePhase } from './apply-plan.js';
import {
  beginAttempt,
  deleteAttempt,
  endAttempt,
  endLostSession,
  markAttemptCommitted,
  nameAttemptPackage,
  readCommitOutcome,
  recordAbandonedAttempts,
} from './attempts.js';
import { classifyFailure } from './failure-codes.js';
import { FaultInjectedError, type FaultPoints, NO_FAULTS } from './faults.js';
import {
  type CommittedImportRow,
  findCommittedImport,
  importedPackageIds,
  insertRunRecord,
  type RunRecord,
  type RunRecordWriter,
} from './import-sql.js';
import { openPlanSource, type PlanSource, type PlanThread, startPlanStream } from './plan-source.js';
import { assertSameImport } from './rerun-check.js';

/**
 * `unknown`: the connection broke after COMMIT was sent and no other connection could read whether it committed
 * (error `db.commit_unknown`); the next import into the campaign records the attempt as it ended.
 */
export type ImportOutcome = 'committed' | 'noop' | 'rolled_back' | 'unknown' | 'disabled';

export interface ImportProgress {
  phase: WritePhase;
  eventsWritten: number;
  /** Events the import appends at most (skipped objects get none); null while the plan is still being made. */
  eventsTotal: number | null;
}

export type ImportStage = 'fingerprint' | 'read' | 'plan' | 'apply';

export interface ImportOptions {
  /** Campaign slug; default `default`. */
  campaign?: string;
  plan?: Partial<PlanOptions>;
  /** `features.importer`: when false the import is a pure no-op with outcome `disabled`. */
  enabled?: boolean;
  clock?: Clock;
  runId?: IdGenerator;
  faults?: FaultPoints;
  /** A QA label for this attempt (e.g. the harness corruption scenario), carried on every log line. */
  scenario?: string;
  logger?: Logger;
  metrics?: Metrics;
  /** PostgreSQL `lock_timeout` for the campaign lock, e.g. `30s`. */
  lockTimeout?: string;
  /** Which thread plans (default `auto`: a worker thread for big packages, so planning overlaps writing). */
  planThread?: PlanThread;
  /** Rows per COPY chunk handed to the database. */
  batchSize?: number;
  onProgress?: (progress: ImportProgress) => void;
  /** Called as the attempt moves on: reading the files (or, for a rerun, fingerprinting them), planning, writing. */
  onStage?: (stage: ImportStage) => void;
  /**
   * Stops the import when aborted (with an `InterruptedError` as its reason): before the commit it rolls back at
   * the next part it writes and is recorded with outcome `rolled_back`, code `import.interrupted`; after the
   * commit it has no effect.
   */
  signal?: AbortSignal;
}

export interface ImportError {
  phase: Phase | 'database';
  code: string;
  message: string;
  [fact: string]: unknown;
}

export interface ImportResult {
  outcome: ImportOutcome;
  runId: string;
  campaign: string;
  packageId: string | null;
  manifestHash: string | null;
  stateDigest: string | null;
  counts: Counts | null;
  eventsAppended: number;
  objectsSkipped: number;
  firstOrdinal: number | null;
  lastOrdinal: number | null;
  tipHash: string | null;
  durationMs: number;
  error?: ImportError;
}

export const DEFAULT_CAMPAIGN = 'default';
const MAX_CAMPAIGN_NAME = 200;

/**
 * A campaign is created by its first import, under the name given: an empty one (an unset variable in a script),
 * one of blanks only, or one with control characters (a stray newline) would make a campaign nobody can name
 * again in a table or a log line. Refused with `campaign.invalid_name` (exit 2) before anything is read.
 */
export function checkCampaignName(name: string): string {
  const problem =
    name.trim() === ''
      ? 'is empty'
      : /\p{Cc}/u.test(name)
        ? 'holds a control character'
        : [...name].length > MAX_CAMPAIGN_NAME
          ? `is longer than ${MAX_CAMPAIGN_NAME} characters`
          : null;
  if (problem) {
    throw new UsageError(
      `campaign name ${JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}…` : name)} ${problem}`,
      { campaign: name },
      'campaign.invalid_name',
    );
  }
  return name;
}

/**
 * `features.importer` false: the import is a pure no-op, outcome `disabled`: nothing is read, no database is
 * needed (the CLI opens none), nothing is recorded; the metric counts it.
 */
export function disabledImport(options: ImportOptions = {}): ImportResult {
  const campaign = checkCampaignName(options.campaign ?? DEFAULT_CAMPAIGN);
  const runId = (options.runId ?? randomRunId)();
  (options.metrics ?? new Metrics()).importsTotal.inc({ outcome: 'disabled' });
  (options.logger ?? silentLogger())
    .child({ campaign, run_id: runId, ...(options.scenario ? { scenario: options.scenario } : {}) })
    .info({ event: LOG_EVENTS.disabled }, 'features.importer is false: nothing imported');
  return { ...emptyResult(runId, campaign), outcome: 'disabled' };
}

/**
 * What became of an attempt's run record: written (by it or by another import), not written (`failed`), or not
 * written with the attempt's row left for the next import into the campaign to record it.
 */
type RunRecordOutcome = RunRecordWriter | 'failed' | 'left_for_next_import';

function emptyResult(runId: string, campaign: string): ImportResult {
  return {
    outcome: 'disabled',
    runId,
    campaign,
    packageId: null,
    manifestHash: null,
    stateDigest: null,
    counts: null,
    eventsAppended: 0,
    objectsSkipped: 0,
    firstOrdinal: null,
    lastOrdinal: null,
    tipHash: null,
    durationMs: 0,
  };
}

export async function importPackage(
  db: Database,
  dir: string,
  options: ImportOptions = {},
): Promise<ImportResult> {
  if (options.enabled === false) return disabledImport(options);
  const campaign = checkCampaignName(options.campaign ?? DEFAULT_CAMPAIGN);
  const clock = options.clock ?? systemClock;
  const metrics = options.metrics ?? new Metrics();
  const faults = options.faults ?? NO_FAULTS;
  const planOptions: PlanOptions = { ...DEFAULT_PLAN_OPTIONS, ...options.plan };
  const runId = (options.runId ?? randomRunId)();
  const startedMicros = clock.nowMicros();
  const startedAt = performance.now();
  const elapsedMs = () => Math.round(performance.now() - startedAt);
  let log = (options.logger ?? silentLogger()).child({
    campaign,
    run_id: runId,
    ...(options.scenario ? { scenario: options.scenario } : {}),
  });

  const base = emptyResult(runId, campaign);

  // The connection the attempt keeps from its start to its run record: it holds the attempt's lock (attempts.ts),
  // and an import never waits for a second connection while it holds one (imports at once share a pool).
  let held: ReservedSession | null = null;
  /** Whether the attempt's row may have been written (beginAttempt): only then can it be left for the next import. */
  let attemptRowMayExist = false;
  /**
   * Writes the attempt's run record. `another_import`: another import wrote it first, taking the attempt for
   * abandoned (its kept connection broke, and its lock with it); that import counted the attempt in
   * `imports_total` (and `import_rollback_total`), so this one does not count it again (`countAttempt`).
   */
  const record = async (
    result: ImportResult,
    details: {
      importId?: string;
      error?: { phase: string; code: string; message: string; faultPoint?: string };
    } = {},
  ): Promise<RunRecordOutcome> => {
    const { error } = details;
    const run: RunRecord = {
      runId,
      campaign,
      packageId: result.packageId,
      manifestHash: result.manifestHash,
      outcome: result.outcome as 'committed' | 'noop' | 'rolled_back',
      importId: details.importId ?? null,
      phase: error?.phase ?? null,
      errorCode: error?.code ?? null,
      errorMessage: error?.message ?? null,
      faultPoint: error?.faultPoint ?? null,
      startedAtIso: formatWallTime(startedMicros),
      finishedAtIso: formatWallTime(clock.nowMicros()),
    };
    // Once, and again on a new connection when that failed: the statement may have been written and its answer
    // lost (the record it finds then is this attempt's own).
    let session = usableSession();
    try {
      const writer = await insertRunRecord(session, run).catch(() => {
        session = newSession();
        return insertRunRecord(session, run);
      });
      if (writer === 'another_import') {
        log.warn(
          {
            event: LOG_EVENTS.recordedByAnother,
            outcome: result.outcome,
            ...(error ? { code: error.code } : {}),
          },
          `another import recorded this attempt first, as abandoned (its connection broke, and the lock that showed ` +
            `it alive went with it); its outcome here: ${result.outcome}${error ? ` (${error.code})` : ''}`,
        );
      }
      return writer;
    } catch (recordError) {
      // Left, its row in import_attempts has the attempt recorded (and counted) by the next import into the
      // campaign, as abandoned or committed; gone (or refused by the server when it was to be written), the
      // attempt is counted here and recorded nowhere. A row that cannot be deleted is taken for left, though the
      // record statement may have deleted it with its answer lost: then the attempt is recorded and counted
      // nowhere (the log line says so).
      const left =
        attemptRowMayExist &&
        (await deleteAttempt(session, runId).then(
          () => false,
          () => true,
        ));
      log.error(
        { event: LOG_EVENTS.runRecordFailed, err: describe(recordError), left_for_next_import: left },
        left
          ? 'could not record the attempt: the next import into the campaign records it (committed, or ' +
              'rolled back as import.abandoned), unless the record was written as the connection broke'
          : 'could not record the attempt',
      );
      return left ? 'left_for_next_import' : 'failed';
    }
  };
  /**
   * The kept connection, or a new one when it broke (its lock went with it). A broken kept connection is given
   * back first: it still counts in the pool, and waiting for another while holding it can wait for ever.
   */
  const usableSession = (): Session => {
    if (held?.usable) return held;
    held?.release();
    return db;
  };
  /**
   * A new connection, the kept one dropped first: after a failed statement it may be broken without pg knowing yet
   * (a session the server ended is seen as broken only after the next statement). On PGlite: its one session.
   */
  const newSession = (): Session => {
    held?.release(true);
    return db;
  };
  /** `imports_total` (and `import_rollback_total`) count each attempt once, whoever writes its run record. */
  const countAttempt = (
    writer: RunRecordOutcome,
    outcome: 'committed' | 'noop' | 'rolled_back',
    failure?: { phase: string; code: string },
  ) => {
    if (writer === 'another_import' || writer === 'left_for_next_import') return;
    metrics.importsTotal.inc({ outcome });
    if (failure) metrics.importRollbackTotal.inc({ phase: failure.phase, code: failure.code });
  };

  let source: PlanSource | null = null;
  const tracker = new PhaseTracker();
  let stage: 'read' | 'plan' | 'apply' = 'read';
  // Planning stops at once (a worker thread is terminated); writing stops at the next part it writes.
  const stopPlanning = () => source?.close();
  options.signal?.addEventListener('abort', stopPlanning, { once: true });
  // Seen before each part and before the commit (on PGlite only once the event loop has had a turn).
  const turn = eventLoopTurns();
  const checkInterrupted = async () => {
    await turn();
    if (options.signal?.aborted) throw interruption(options.signal);
  };
  try {
    const session = await db.reserve();
    held = session;
    // This campaign's attempts whose process died mid-import are recorded first, and counted in this import's metrics
    // (those of another campaign wait for an import into theirs); failing to record them does not stop this import.
    await recordAbandonedAttempts(session, { campaign, clock, metrics, logger: options.logger }).catch(
      (sweepError) =>
        log.error(
          { event: LOG_EVENTS.runRecordFailed, err: describe(sweepError) },
          'could not record the attempts of processes that died mid-import',
        ),
    );
    // Its row may be written from now on, even when the statement's answer is lost; not when the server refused it.
    attemptRowMayExist = true;
    await beginAttempt(session, { runId, campaign, startedAtIso: formatWallTime(startedMicros) }).catch(
      (error: unknown) => {
        const state = sqlStateOf(error);
        if (state !== undefined && !state.startsWith('08')) attemptRowMayExist = false;
        throw error;
      },
    );
    const listed = listPackage(dir, planOptions);
    let planned: ListedPackage | OpenedPackage = listed;
    // With nothing imported into the campaign yet there is no rerun to look for: planning starts at once, and the
    // planner reads and checks the manifest (a concurrent import of the same package is found under the lock).
    const importedPackages = await importedPackageIds(session, campaign);
    if (importedPackages.length > 0) {
      // A rerun is recognised by the raw bytes of its files alone, the manifest's included: hashed on two threads,
      // nothing parsed. (Strict mode re-checks the files of a rerun too: an import made leniently may not pass.)
      // The package_id its manifest names, read the plain way (`undefined`: not read yet).
      let packageId: string | null | undefined;
      if (!planOptions.strict) {
        options.onStage?.('fingerprint');
        const quick = await quickFingerprints(listed);
        packageId = quick?.packageId;
        const previous = quick
          ? await findCommittedImport(session, campaign, {
              filesDigest: computeFilesDigest(quick, planOptions),
            })
          : null;
        if (previous) {
          log = log.child({ package_id: previous.package_id, manifest_hash: previous.manifest_hash });
          base.packageId = previous.package_id;
          base.manifestHash = previous.manifest_hash;
          // Asked to stop while the files were hashed: stopped, like any import before its commit.
          await checkInterrupted();
          return await finishNoop(previous);
        }
      }
      // A manifest imported before is of a package imported before. For another package, reading its manifest for
      // the hash here (parsed, canonicalised and hashed: ~0.7 s for 60k files) is left to the planner.
      if (packageId === undefined) packageId = quickPackageId(listed);
      const opened = mayBeImported(packageId, importedPackages) ? openListedPackage(listed) : null;
      if (opened) planned = opened;
      const manifest = opened?.manifest;
      // (A manifest that cannot be hashed is rejected by the planner, naming why.)
      if (opened && manifest?.manifestHash) {
        log = log.child({ package_id: manifest.packageId, manifest_hash: manifest.manifestHash });
        base.packageId = manifest.packageId;
        base.manifestHash = manifest.manifestHash;
        const previous = await findCommittedImport(session, campaign, {
          manifestHash: manifest.manifestHash,
        });
        if (previous) {
          // This manifest is imported but its files were not recognised above (strict mode, a file that changed or
          // is not a plain file, the other embeddings setting): see rerun-check.ts.
          options.onStage?.('fingerprint');
          await assertSameImport(previous, opened, planOptions);
          // Asked to stop while the files were hashed: stopped, like any import before its commit.
          await checkInterrupted();
          return await finishNoop(previous);
        }
      }
    }
    await checkInterrupted();
    options.onStage?.('read');
    const plan = openPlanSource(planned, planOptions, options.planThread);
    source = plan;
    const stream = await startPlanStream(plan, () => {
      stage = 'plan';
      options.onStage?.('plan');
    });
    if (base.packageId === null) {
      log = log.child({ package_id: stream.identity.packageId, manifest_hash: stream.identity.manifestHash });
    }
    base.packageId = stream.identity.packageId;
    base.manifestHash = stream.identity.manifestHash;
    stage = 'apply';
    options.onStage?.('apply');
    const phaseStarts = new Map<WritePhase, number>();
    await nameAttemptPackage(session, runId, base.packageId, base.manifestHash);
    // What the transaction did, known before its COMMIT: the result when the COMMIT's answer is lost but it committed.
    let beforeCommit: ApplyResult | null = null;
    const transaction = session.transaction(async (tx: Session) => {
      const result = await applyPlan(
        tx,
        stream,
        {
          campaign,
          wallTimeMicros: clock.nowMicros(),
          lockTimeout: options.lockTimeout ?? '30s',
          batchSize: options.batchSize ?? 1000,
          faults,
          elapsedMs,
          checkInterrupted,
          ...(options.signal ? { signal: options.signal } : {}),
          onPhase: (phase) => {
            phaseStarts.set(phase, performance.now());
            log.info({ event: LOG_EVENTS.phaseStart, phase }, `phase ${phase} started`);
            return () => {
              const seconds = (performance.now() - (phaseStarts.get(phase) ?? performance.now())) / 1000;
              metrics.importPhaseDurationSeconds.observe({ phase }, seconds);
              log.info(
                { event: LOG_EVENTS.phaseEnd, phase, duration_ms: Math.round(seconds * 1000) },
                `phase ${phase} done`,
              );
            };
          },
          onProgress: (eventsWritten) =>
            options.onProgress?.({ phase: tracker.current, eventsWritten, eventsTotal: plannedEvents(plan) }),
        },
        tracker,
      );
      if (result.kind === 'committed') await markAttemptCommitted(tx, runId, result.importId);
      beforeCommit = result;
      return result;
    });
    const applied: ApplyResult = await transaction.catch(async (error: unknown) => {
      const sent: ApplyResult | null = beforeCommit;
      if (!(error instanceof CommitUnconfirmedError) || sent?.kind !== 'committed') throw error;
      return await confirmCommit(db, sent, error);
    });
    if (applied.kind === 'noop') return await finishNoop(applied.existing);
    if (applied.kind === 'manifest_imported') {
      // Another import committed this manifest meanwhile, from other files or with the other embeddings setting.
      await assertSameImport(
        applied.existing,
        isOpened(planned) ? planned : openListedPackage(planned),
        planOptions,
      );
      return await finishNoop(applied.existing);
    }

    await faults.reach('after-commit-before-run-record', null);
    const result: ImportResult = {
      ...base,
      outcome: 'committed',
      stateDigest: applied.summary.stateDigest,
      counts: applied.summary.counts,
      eventsAppended: applied.eventsAppended,
      objectsSkipped: applied.objectsSkipped,
      firstOrdinal: Number(applied.firstOrdinal),
      lastOrdinal: Number(applied.lastOrdinal),
      tipHash: applied.tipHash,
      durationMs: elapsedMs(),
    };
    countAttempt(await record(result, { importId: applied.importId }), 'committed');
    metrics.importDurationSeconds.observe({ outcome: 'committed' }, result.durationMs / 1000);
    for (const [eventType, count] of applied.eventTypes)
      metrics.eventsAppendedTotal.inc({ event_type: eventType }, count);
    for (const [phase, count] of Object.entries(applied.skippedByPhase))
      metrics.objectsSkippedTotal.inc({ phase }, count);
    log.info(
      {
        event: LOG_EVENTS.committed,
        events_appended: result.eventsAppended,
        objects_skipped: result.objectsSkipped,
        first_ordinal: result.firstOrdinal,
        last_ordinal: result.lastOrdinal,
        tip_hash: result.tipHash,
        state_digest: result.stateDigest,
        duration_ms: result.durationMs,
      },
      'import committed',
    );
    return result;
  } catch (error) {
    if (error instanceof FaultInjectedError && error.facts.fault_point === 'after-commit-before-run-record')
      throw error;
    // Once aborted, whatever stopped the attempt (the plan source closed under it, most likely) was the interruption;
    // but not once its COMMIT was sent: a stop then changes nothing, and the attempt may be committed.
    const commitSent = error instanceof CommitUnconfirmedError || error instanceof CommitUnknownError;
    const cause = options.signal?.aborted && !commitSent ? interruption(options.signal) : error;
    const failure = toImportError(cause, stage === 'apply' ? tracker.current : null);
    // A package rejected while it was read (e.g. a file missing from content_index) names what it knows of itself:
    // keep it, so that the result, the run record and the log line are correlated like any other attempt.
    const known = correlation(failure);
    const unread = base.packageId === null && base.manifestHash === null;
    if (base.packageId === null && known.package_id) base.packageId = known.package_id;
    if (base.manifestHash === null && known.manifest_hash) base.manifestHash = known.manifest_hash;
    if (unread && (known.package_id || known.manifest_hash)) log = log.child(known);
    const result: ImportResult = {
      ...base,
      outcome: 'rolled_back',
      stateDigest: source?.summary?.stateDigest ?? null,
      counts: source?.summary?.counts ?? null,
      durationMs: elapsedMs(),
      error: failure,
    };
    if (cause instanceof CommitUnknownError) {
      // Not recorded here, nor counted: the run record the next import writes from the attempt's row counts it.
      log.error({ event: LOG_EVENTS.commitUnknown, code: failure.code }, failure.message);
      return { ...result, outcome: 'unknown' };
    }
    if (held?.usable === false) {
      // The kept connection broke: the server may not know it, and its session, mid-transaction, would hold the
      // campaign's lock for hours. Ended now, its transaction rolls back and the next import can take the lock.
      usableSession();
      await endLostSession(db, runId);
    }
    const faultPoint = typeof failure.fault_point === 'string' ? failure.fault_point : undefined;
    const writer = await record(result, {
      error: { phase: failure.phase, code: failure.code, message: failure.message, faultPoint },
    });
    countAttempt(writer, 'rolled_back', failure);
    metrics.importDurationSeconds.observe({ outcome: 'rolled_back' }, result.durationMs / 1000);
    log.warn(
      { event: LOG_EVENTS.rolledBack, phase: failure.phase, code: failure.code, fault_point: faultPoint },
      failure.message,
    );
    return result;
  } finally {
    options.signal?.removeEventListener('abort', stopPlanning);
    source?.close();
    if (held) {
      await endAttempt(held, runId);
      held.release();
    }
  }

  /**
   * The connection broke after COMMIT was sent: another connection reads whether it committed. Committed: the
   * import goes on as committed. Not committed: the lost connection is the failure. Unreadable (the server
   * unreachable too): `CommitUnknownError`, and the attempt's row is left for the next import to record.
   */
  async function confirmCommit(
    db: Database,
    applied: ApplyResult & { kind: 'committed' },
    lost: CommitUnconfirmedError,
  ): Promise<ApplyResult> {
    let outcome: 'committed' | 'not_committed';
    try {
      usableSession();
      outcome = await readCommitOutcome(db, runId, options.lockTimeout ?? '30s');
    } catch (readError) {
      throw new CommitUnknownError(lost, readError, campaign);
    }
    if (outcome === 'not_committed') throw lost;
    log.warn(
      { event: LOG_EVENTS.commitConfirmed, import_id: applied.importId },
      `${lost.message}; read back on another connection: the import is committed`,
    );
    return applied;
  }

  async function finishNoop(previous: CommittedImportRow): Promise<ImportResult> {
    const result: ImportResult = {
      ...base,
      outcome: 'noop',
      stateDigest: previous.state_digest,
      counts: previous.counts,
      firstOrdinal: Number(previous.first_ordinal),
      lastOrdinal: Number(previous.last_ordinal),
      tipHash: previous.tip_hash,
      durationMs: elapsedMs(),
    };
    countAttempt(await record(result, { importId: previous.id }), 'noop');
    metrics.importIdempotentTotal.inc();
    metrics.importDurationSeconds.observe({ outcome: 'noop' }, result.durationMs / 1000);
    log.info(
      { event: LOG_EVENTS.noop, tip_hash: result.tipHash, state_digest: result.stateDigest },
      'package already imported into this campaign: nothing to do',
    );
    return result;
  }
}

/** The events a plan appends at most: every object's, the manifest's and the completion's. */
function plannedEvents(plan: PlanSource): number | null {
  const counts = plan.summary?.counts;
  return counts
    ? counts.entities + counts.edges + counts.tags + counts.affordances + counts.chunks + 2
    : null;
}

/**
 * Whether a package may have a manifest the campaign imported: unless its plainly read id (`null`: it cannot tell)
 * is none of the imported packages' (compared as the manifest hash sees them, in NFC). When this is wrong, the
 * transaction still finds the manifest imported, under the campaign's lock, after planning for nothing.
 */
function mayBeImported(packageId: string | null, importedPackages: readonly string[]): boolean {
  if (packageId === null) return true;
  const normalized = packageId.normalize('NFC');
  return importedPackages.some((imported) => imported.normalize('NFC') === normalized);
}

function isOpened(planned: ListedPackage | OpenedPackage): planned is OpenedPackage {
  return 'manifest' in planned;
}

function interruption(signal: AbortSignal): InterruptedError {
  return signal.reason instanceof InterruptedError ? signal.reason : new InterruptedError();
}

function toImportError(error: unknown, applyPhase: WritePhase | null): ImportError {
  if (error instanceof PackageRejectedError) {
    return { ...(error.toJSON() as ImportError), phase: error.phase };
  }
  if (error instanceof InterruptedError || error instanceof InternalError) {
    // Before the transaction the package was being read and checked: the manifest phase's work.
    return { ...error.toJSON(), phase: applyPhase ?? 'manifest', code: error.code, message: error.message };
  }
  const phase: Phase | 'database' = applyPhase ?? 'database';
  if (error instanceof ChronicleError) {
    return { ...error.toJSON(), phase, code: error.code, message: error.message };
  }
  const db = classifyFailure(error);
  return { phase, code: db.code, message: db.message, ...db.facts };
}

/** The package id and manifest hash an error carries among its facts, when it does. */
function correlation(failure: ImportError): { package_id?: string; manifest_hash?: string } {
  const known: { package_id?: string; manifest_hash?: string } = {};
  if (typeof failure.package_id === 'string') known.package_id = failure.package_id;
  if (typeof failure.manifest_hash === 'string') known.manifest_hash = failure.manifest_hash;
  return known;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
