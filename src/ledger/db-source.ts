/** The database as an audit source: each stream a keyset-paginated query, all in one snapshot. */
import type { Database, Session } from '../db/database.js';
import { CommitUnconfirmedError } from '../errors.js';
import type { AuditSource, RecordedRun } from './audit-records.js';
import {
  campaignId,
  readCheckpoints,
  readEvents,
  readImportLog,
  readImports,
  readProjections,
  readRecordedRuns,
  readTip,
  secureAuditSession,
} from './ledger-sql.js';

/**
 * Rows per page of each stream. Four streams each hold a page and read the next one ahead, in binary COPY pages
 * whose rows are views into their page. On a PostgreSQL server 250 rows keep verification of a 1,000,000-event
 * campaign at ~180 MB (500: ~210 MB) at the same speed; on PGlite, whose engine memory dominates, 500 rows
 * (250: ~6% slower).
 */
export const AUDIT_PAGE_ROWS = { pg: 250, pglite: 500 } as const;

export async function databaseSource(
  session: Session,
  campaign: string,
  batchSize: number = AUDIT_PAGE_ROWS[session.backend],
): Promise<AuditSource> {
  const id = await campaignId(session, campaign);
  const tip = id === null ? null : await readTip(session, id);
  const none = async function* <T>(): AsyncGenerator<T> {};
  let runs: Promise<RecordedRun[]> | undefined;
  return {
    campaign,
    campaignId: id,
    expectedEvents: tip === null ? 0 : Number(tip.ordinal) + 1,
    events: (scope) => (id === null ? none() : readEvents(session, id, batchSize, scope)),
    imports: () => (id === null ? none() : readImports(session, id, batchSize)),
    importLog: () => (id === null ? none() : readImportLog(session, id, batchSize)),
    projections: () => (id === null ? none() : readProjections(session, id, batchSize)),
    checkpoints: () => (id === null ? none() : readCheckpoints(session, id, batchSize)),
    recordedRuns: () => {
      runs ??= readRecordedRuns(session, campaign);
      return runs;
    },
  };
}

function isDatabase(session: Session): session is Database {
  return typeof (session as Partial<Database>).transaction === 'function';
}

/**
 * Runs `fn` in one REPEATABLE READ transaction, so that every statement sees the same committed state
 * (imports committing meanwhile are not half seen), made safe for the audit first (secureAuditSession). A session
 * that is already a transaction is used as is.
 */
export async function inSnapshot<T>(
  session: Session,
  mode: 'read only' | 'read write',
  fn: (tx: Session) => Promise<T>,
): Promise<T> {
  if (!isDatabase(session)) {
    await secureAuditSession(session);
    return fn(session);
  }
  let read: { result: T } | null = null;
  try {
    return await session.transaction(async (tx) => {
      await tx.query(
        `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, ${mode === 'read only' ? 'READ ONLY' : 'READ WRITE'}`,
      );
      await secureAuditSession(tx);
      // Every read here walks an index in key order, a page at a time. Right after a large import the tables
      // have no statistics yet, and the planner would rather bitmap-scan and sort everything after the key
      // for each page (quadratic over a campaign); a walk in index order is right whatever the statistics.
      await tx.query('SET LOCAL enable_bitmapscan = off');
      read = { result: await fn(tx) };
      return read.result;
    });
  } catch (error) {
    // Everything was read, whole, before the COMMIT of a read-only snapshot: its lost answer changes nothing.
    if (mode === 'read only' && read !== null && error instanceof CommitUnconfirmedError) {
      return (read as { result: T }).result;
    }
    throw error;
  }
}
