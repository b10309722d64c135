/**
 * Import attempts in progress (`import_attempts`, migration 0007, ADR 0004), so that an attempt whose process died
 * before it wrote its run record (SIGKILL, out of memory, a lost connection) is recorded all the same.
 *
 * Just before its transaction begins, on the transaction's own connection and in autocommit, an import takes a
 * shared advisory lock on its run id and inserts its row. The transaction that commits sets the row's import id;
 * the run record deletes the row (insertRunRecord). The lock lives as long as the connection: a row whose lock
 * nobody holds belongs to a process that is gone, and `recordAbandonedAttempts` (run by every import and by
 * `chronicle runs`) writes its run record: `committed` when it has an import id, else `rolled_back` with code
 * `import.abandoned`. PGlite has one session, and its data dir one process: there a row this process did not
 * write belongs to a process that is gone.
 */
import { hostname } from 'node:os';
import { type Clock, systemClock } from '../clock.js';
import type { Database, Session, TransactionHooks } from '../db/database.js';
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
  packageId: string | null;
  manifestHash: string | null;
  startedAtIso: string;
}

export interface AttemptGuard {
  /** For the import's transaction: the lock and the row before BEGIN; the lock let go once `end` was called. */
  hooks: TransactionHooks;
  /**
   * Once the transaction ended: its connection, still holding the lock, for the run record (null when the
   * connection broke: its lock went with it).
   */
  session(): Session | null;
  /** The attempt is over and its run record written (or given up): its lock may go. */
  end(): void;
}

/**
 * The row and the lock of one attempt. The lock is held until `end`, past the run record, written on the same
 * connection: a row whose lock was let go before its run record was written would look abandoned. (Written on
 * another connection of the pool, several imports at once could also wait for each other's connections.)
 */
export function guardAttempt(attempt: AttemptIdentity): AttemptGuard {
  let end!: () => void;
  const ended = new Promise<void>((resolve) => {
    end = resolve;
  });
  let held: Session | null = null;
  return {
    hooks: {
      async beforeBegin(session) {
        ownAttempts.add(attempt.runId);
        await session.query(
          `WITH locked AS (SELECT pg_advisory_lock_shared($1::int, hashtext($2)))
           INSERT INTO import_attempts (run_id, campaign, package_id, manifest_hash, pid, host, started_at)
           SELECT $2, $3, $4, $5, $6::int, $7, $8::timestamptz FROM locked`,
          [
            ATTEMPT_LOCK_CLASS,
            attempt.runId,
            attempt.campaign,
            attempt.packageId,
            attempt.manifestHash,
            process.pid,
            hostname(),
            attempt.startedAtIso,
          ],
        );
      },
      async afterEnd(session) {
        held = session;
        await ended;
        held = null;
        await session.query('SELECT pg_advisory_unlock_shared($1::int, hashtext($2))', [
          ATTEMPT_LOCK_CLASS,
          attempt.runId,
        ]);
      },
    },
    session: () => held,
    end() {
      ownAttempts.delete(attempt.runId);
      end();
    },
  };
}

/** In the transaction that commits: from then on the attempt's run record says `committed`, whoever writes it. */
export async function markAttemptCommitted(tx: Session, runId: string, importId: string): Promise<void> {
  await tx.query('UPDATE import_attempts SET import_id = $2::bigint WHERE run_id = $1', [runId, importId]);
}

/** When the run record, which deletes the attempt's row with it, could not be written: the row on its own. */
export async function deleteAttempt(session: Session, runId: string): Promise<void> {
  await session.query('DELETE FROM import_attempts WHERE run_id = $1', [runId]);
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

/** The attempts whose process is still importing (of one campaign, or all), oldest first. */
export function attemptsInProgress(db: Database, campaign?: string): Promise<AttemptRecord[]> {
  return db.transaction(async (tx) =>
    (await readAttempts(tx, campaign ?? null)).filter((a) => !a.gone).map(({ gone, ...attempt }) => attempt),
  );
}

export interface SweepOptions {
  clock?: Clock;
  logger?: Logger;
  metrics?: Metrics;
}

/**
 * Writes the run record of every attempt whose process is gone, deleting its row in the same statement, in one
 * transaction, and returns them: `committed` (with its import) when the attempt committed and died before its run
 * record, else `rolled_back` with code `import.abandoned` and phase unknown; `finished_at` is when it was found.
 */
export async function recordAbandonedAttempts(
  db: Database,
  options: SweepOptions = {},
): Promise<AttemptRecord[]> {
  const finishedAtIso = formatWallTime((options.clock ?? systemClock).nowMicros());
  const recorded = await db.transaction(async (tx) => {
    const found: (AttemptRecord & { message: string })[] = [];
    for (const { gone, ...attempt } of await readAttempts(tx, null)) {
      if (!gone) continue;
      const died = `process ${attempt.pid} on ${attempt.host}, started ${attempt.startedAt}`;
      const message =
        attempt.importId === null
          ? `the import ended before it finished (${died}: killed, out of memory or its database connection ` +
            'lost); nothing was committed'
          : `the import committed, and its process ended before it recorded the attempt (${died}): recorded now`;
      // Under the attempt's lock, taken above: of two processes finding it at once, only one records it. A run
      // record under the same id (the attempt's own, whose row could not be deleted with it) is kept.
      const inserted = await tx.query(
        `WITH gone AS (DELETE FROM import_attempts WHERE run_id = $1 RETURNING *)
         INSERT INTO import_runs (run_id, campaign, package_id, manifest_hash, outcome, import_id, error_code,
                                  error_message, started_at, finished_at)
         SELECT run_id, campaign, package_id, manifest_hash,
                CASE WHEN import_id IS NULL THEN 'rolled_back' ELSE 'committed' END, import_id,
                CASE WHEN import_id IS NULL THEN $2 END, CASE WHEN import_id IS NULL THEN $3 END,
                started_at, $4::timestamptz
           FROM gone
         ON CONFLICT (run_id) DO NOTHING RETURNING run_id`,
        [attempt.runId, ABANDONED_CODE, message, finishedAtIso],
      );
      if (inserted.length > 0) found.push({ ...attempt, message });
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
        pid: attempt.pid,
        host: attempt.host,
        started_at: attempt.startedAt,
      },
      message,
    );
  }
  return recorded.map(({ message, ...attempt }) => attempt);
}
