/**
 * Import attempts in progress (`import_attempts`, migration 0007, ADR 0004), so that an attempt whose process died
 * before it wrote its run record (SIGKILL, out of memory, a lost connection) is recorded all the same.
 *
 * An import keeps one connection from its start to its run record (`Database.reserve`). First thing, on it and in
 * autocommit, it takes a shared advisory lock on its run id and inserts its row; it names its package there once
 * it knows it; the transaction that commits sets the row's import id; the run record deletes the row; then the
 * lock goes with `endAttempt`. The lock lives as long as the connection: a row whose lock nobody holds belongs to a
 * process that is gone, and `recordAbandonedAttempts` (run by the next import into its campaign) writes its
 * run record: `committed` when it has an import id, else `rolled_back` with code `import.abandoned`. PGlite has
 * one session, and its data dir one process: there a row this process did not write belongs to a dead process.
 */
import { hostname } from 'node:os';
import { type Clock, systemClock } from '../clock.js';
import type { ReservedSession, Session, Transactions } from '../db/database.js';
import { formatWallTime } from '../ledger/envelope.js';
import { LOG_EVENTS, type Logger, silentLogger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';

/** The two-key advisory lock class of attempts: apart from the migrations' class and the campaigns' one-key locks. */
const ATTEMPT_LOCK_CLASS = 0x43485241; // "CHRA"
export const ABANDONED_CODE = 'import.abandoned';

/** Attempts of this process whose row may still be there: never taken for abandoned (PGlite's one session). */
const ownAttempts = new Set<string>();

export interface AttemptIdentity {
  runId: string;
  campaign: string;
  startedAtIso: string;
}

/** The attempt's lock and row, on the connection the import keeps to its end. */
export async function beginAttempt(session: ReservedSession, attempt: AttemptIdentity): Promise<void> {
  ownAttempts.add(attempt.runId);
  await session.query(
    `WITH locked AS (SELECT pg_advisory_lock_shared($1::int, hashtext($2)))
     INSERT INTO import_attempts (run_id, campaign, pid, host, started_at)
     SELECT $2, $3, $4::int, $5, $6::timestamptz FROM locked`,
    [ATTEMPT_LOCK_CLASS, attempt.runId, attempt.campaign, process.pid, hostname(), attempt.startedAtIso],
  );
}

/** Once the package is known (before its transaction): the row names it. */
export async function nameAttemptPackage(
  session: Session,
  runId: string,
  packageId: string | null,
  manifestHash: string | null,
): Promise<void> {
  await session.query('UPDATE import_attempts SET package_id = $2, manifest_hash = $3 WHERE run_id = $1', [
    runId,
    packageId,
    manifestHash,
  ]);
}

/** In the transaction that commits: from then on the attempt's run record says `committed`, whoever writes it. */
export async function markAttemptCommitted(tx: Session, runId: string, importId: string): Promise<void> {
  await tx.query('UPDATE import_attempts SET import_id = $2::bigint WHERE run_id = $1', [runId, importId]);
}

/**
 * Ends the server session of an attempt whose connection broke, from another connection: the server may not have
 * seen the connection go (a network cut, a proxy that failed), and its session, which holds the attempt's shared
 * lock, would keep its transaction and the campaign's lock until TCP gives up (hours): every later import into the
 * campaign would wait for it and fail. Ended, its transaction ends now, committed if its COMMIT reached the
 * server, else rolled back. Only that session (this database's, holding the lock, granted), and not one waiting
 * for a synchronous standby: ended, its commit would stand locally though the standby may never have it (after a
 * failover it would be gone). A session of another role may not be ended: then nothing happens. Never throws.
 */
export async function endLostSession(db: Transactions, runId: string): Promise<void> {
  await db
    .transaction((tx) =>
      tx.query(
        `SELECT pg_terminate_backend(l.pid) FROM pg_locks l
          WHERE l.locktype = 'advisory' AND l.objsubid = 2 AND l.mode = 'ShareLock' AND l.granted
            AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            AND l.classid::bigint = $1::bigint AND l.objid::bigint = (hashtext($2)::bigint & 4294967295)
            AND l.pid <> pg_backend_pid()
            AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = l.pid AND a.wait_event = 'SyncRep')`,
        [ATTEMPT_LOCK_CLASS, runId],
      ),
    )
    .catch(() => {});
}

/**
 * Whether the attempt committed, read on another connection when the one that sent its COMMIT broke before the
 * answer: the transaction marked the attempt's row with its import id (`markAttemptCommitted`), so the row's
 * committed version says `committed`. The lost session is ended first (`endLostSession`); `FOR SHARE` then waits
 * (up to `lockTimeout`) for its transaction to end, which decides when it could not be ended (most likely
 * `unknown`). No row left: an import that took the attempt for abandoned wrote its run record.
 */
export async function readCommitOutcome(
  db: Transactions,
  runId: string,
  lockTimeout: string,
): Promise<'committed' | 'not_committed'> {
  await endLostSession(db, runId);
  return db.transaction(async (tx) => {
    await tx.query("SELECT set_config('lock_timeout', $1, true)", [lockTimeout]);
    const [attempt] = await tx.query<{ import_id: string | null }>(
      'SELECT import_id FROM import_attempts WHERE run_id = $1 FOR SHARE',
      [runId],
    );
    if (attempt) return attempt.import_id === null ? 'not_committed' : 'committed';
    const [run] = await tx.query<{ outcome: string }>('SELECT outcome FROM import_runs WHERE run_id = $1', [
      runId,
    ]);
    if (!run) throw new Error(`the attempt ${runId} has neither a row in import_attempts nor a run record`);
    return run.outcome === 'committed' ? 'committed' : 'not_committed';
  });
}

/** When the run record, which deletes the attempt's row with it, could not be written: the row on its own. */
export async function deleteAttempt(session: Session, runId: string): Promise<void> {
  await session.query('DELETE FROM import_attempts WHERE run_id = $1', [runId]);
}

/**
 * The attempt is over and its run record written (or given up): its lock goes (with the connection, when that
 * broke). Never throws.
 */
export async function endAttempt(session: ReservedSession, runId: string): Promise<void> {
  forgetAttempt(runId);
  if (!session.usable) return;
  await session
    .query('SELECT pg_advisory_unlock_shared($1::int, hashtext($2))', [ATTEMPT_LOCK_CLASS, runId])
    .catch(() => {});
}

/** This process no longer counts the attempt as its own (endAttempt does it; a test may, to play another process). */
export function forgetAttempt(runId: string): void {
  ownAttempts.delete(runId);
}

/** An attempt's row, as `chronicle runs` and the log line of an abandoned one show it. */
export interface AttemptRecord {
  runId: string;
  campaign: string;
  packageId: string | null;
  manifestHash: string | null;
  pid: number;
  host: string;
  startedAt: string;
  /** Set once the attempt committed. */
  importId: string | null;
}

interface AttemptRow {
  run_id: string;
  campaign: string;
  package_id: string | null;
  manifest_hash: string | null;
  pid: number;
  host: string;
  started_at: string;
  import_id: string | null;
  /** The attempt's lock was free (taken by this transaction until it ends): its process is gone. */
  free: boolean;
}

/** Every attempt's row (of one campaign, or all), each with whether its process is gone. */
async function readAttempts(
  tx: Session,
  campaign: string | null,
): Promise<(AttemptRecord & { gone: boolean })[]> {
  const rows = await tx.query<AttemptRow>(
    `SELECT run_id, campaign, package_id, manifest_hash, pid, host, import_id,
            to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS started_at,
            pg_try_advisory_xact_lock($1::int, hashtext(run_id)) AS free
       FROM import_attempts WHERE ($2::text IS NULL OR campaign = $2)
      ORDER BY started_at, run_id`,
    [ATTEMPT_LOCK_CLASS, campaign],
  );
  return rows.map((row) => ({
    runId: row.run_id,
    campaign: row.campaign,
    packageId: row.package_id,
    manifestHash: row.manifest_hash,
    pid: row.pid,
    host: row.host,
    startedAt: row.started_at,
    importId: row.import_id,
    gone: row.free && !ownAttempts.has(row.run_id),
  }));
}

export interface AttemptsLeft {
  /** Attempts whose process is still importing. */
  running: AttemptRecord[];
  /**
   * Attempts whose process is gone and whose run record is not written yet: the next import into their campaign
   * writes it (`recordAbandonedAttempts`); until then `chronicle runs` lists them.
   */
  abandoned: AttemptRecord[];
}

/** The attempts that have a row (of one campaign, or all), oldest first, by whether their process is still there. */
export function attemptsLeft(db: Transactions, campaign?: string): Promise<AttemptsLeft> {
  return db.transaction(async (tx) => {
    const left: AttemptsLeft = { running: [], abandoned: [] };
    for (const { gone, ...attempt } of await readAttempts(tx, campaign ?? null)) {
      (gone ? left.abandoned : left.running).push(attempt);
    }
    return left;
  });
}

/** What the run record (and the log line) of an attempt whose process is gone says. */
function abandonmentMessage(attempt: AttemptRecord, committed = attempt.importId !== null): string {
  const died = `process ${attempt.pid} on ${attempt.host}, started ${attempt.startedAt}`;
  return !committed
    ? `the import ended without recording itself (${died}: killed, out of memory, its database connection lost ` +
        'or its disk full); nothing was committed'
    : `the import committed, and its process ended before it recorded the attempt (${died}): recorded now`;
}

export interface SweepOptions {
  /** Only this campaign's attempts (an import records its own campaign's: they are counted in its metrics). */
  campaign?: string;
  clock?: Clock;
  logger?: Logger;
  metrics?: Metrics;
}

/**
 * Writes the run record of every attempt whose process is gone, deleting its row in the same statement, in one
 * transaction, and returns them: `committed` (with its import) when the attempt committed and died before its run
 * record, else `rolled_back` with code `import.abandoned` and phase unknown; `finished_at` is when it was found.
 * Either record has an `error_message` saying it was recorded by another import (a committed attempt's own record
 * has none): that is how the attempt, back on a new connection, tells it from its own (`insertRunRecord`).
 */
export async function recordAbandonedAttempts(
  db: Transactions,
  options: SweepOptions = {},
): Promise<AttemptRecord[]> {
  const finishedAtIso = formatWallTime((options.clock ?? systemClock).nowMicros());
  const recorded = await db.transaction(async (tx) => {
    const found: (AttemptRecord & { message: string })[] = [];
    for (const { gone, ...attempt } of await readAttempts(tx, options.campaign ?? null)) {
      if (!gone) continue;
      // Under the attempt's lock, taken above: of two processes finding it at once, only one records it. A run
      // record under the same id (the attempt's own, whose row could not be deleted with it) is kept. The DELETE
      // waits for a transaction of the attempt still committing on the server (its connection gone) and returns
      // the row as that transaction left it: the import id read above may have been set since.
      const [inserted] = await tx.query<{ import_id: string | null }>(
        `WITH gone AS (DELETE FROM import_attempts WHERE run_id = $1 RETURNING *)
         INSERT INTO import_runs (run_id, campaign, package_id, manifest_hash, outcome, import_id, error_code,
                                  error_message, started_at, finished_at)
         SELECT run_id, campaign, package_id, manifest_hash,
                CASE WHEN import_id IS NULL THEN 'rolled_back' ELSE 'committed' END, import_id,
                CASE WHEN import_id IS NULL THEN $2 END,
                CASE WHEN import_id IS NULL THEN $3 ELSE $5 END,
                started_at, $4::timestamptz
           FROM gone
         ON CONFLICT (run_id) DO NOTHING RETURNING import_id::text AS import_id`,
        [
          attempt.runId,
          ABANDONED_CODE,
          abandonmentMessage(attempt, false),
          finishedAtIso,
          abandonmentMessage(attempt, true),
        ],
      );
      if (inserted) {
        const recordedAttempt = { ...attempt, importId: inserted.import_id };
        found.push({ ...recordedAttempt, message: abandonmentMessage(recordedAttempt) });
      }
    }
    return found;
  });
  const log = options.logger ?? silentLogger();
  for (const { message, ...attempt } of recorded) {
    const committed = attempt.importId !== null;
    options.metrics?.importsTotal.inc({ outcome: committed ? 'committed' : 'rolled_back' });
    if (!committed) options.metrics?.importRollbackTotal.inc({ phase: 'unknown', code: ABANDONED_CODE });
    log.warn(
      {
        event: committed ? LOG_EVENTS.recordedLate : LOG_EVENTS.abandoned,
        ...(committed ? { import_id: attempt.importId } : { code: ABANDONED_CODE }),
        run_id: attempt.runId,
        campaign: attempt.campaign,
        package_id: attempt.packageId,
        manifest_hash: attempt.manifestHash,
        pid: attempt.pid,
        host: attempt.host,
        started_at: attempt.startedAt,
      },
      message,
    );
  }
  return recorded.map(({ message, ...attempt }) => attempt);
}
