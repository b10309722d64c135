/** What a campaign holds, read the way an auditor would: ordinals, tip, ImportLog numbers, run records. */
import type { Session } from '../../../src/index.js';

export interface LedgerState {
  ordinals: number[];
  tip: string | null;
  logSequence: number[];
  imports: number;
}

export async function ledgerState(db: Session, campaign: string): Promise<LedgerState> {
  const events = await db.query<{ o: string; h: Buffer }>(
    `SELECT e.replay_ordinal::text AS o, e.envelope_hash AS h FROM events e JOIN campaigns c ON c.id = e.campaign_id
      WHERE c.slug = $1 ORDER BY e.replay_ordinal`,
    [campaign],
  );
  const log = await db.query<{ s: string }>(
    `SELECT l.sequence_no::text AS s FROM import_log l JOIN campaigns c ON c.id = l.campaign_id
      WHERE c.slug = $1 ORDER BY l.sequence_no`,
    [campaign],
  );
  const imports = await db.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM imports i JOIN campaigns c ON c.id = i.campaign_id WHERE c.slug = $1`,
    [campaign],
  );
  const last = events[events.length - 1];
  return {
    ordinals: events.map((row) => Number(row.o)),
    tip: last ? last.h.toString('hex') : null,
    logSequence: log.map((row) => Number(row.s)),
    imports: Number(imports[0]?.n ?? 0),
  };
}

/** 0, 1, …, n-1 (dense ordinals) or 1, …, n (dense ImportLog sequence numbers). */
export function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

export interface RunRecordRow {
  run_id: string;
  outcome: string;
  phase: string | null;
  error_code: string | null;
  fault_point: string | null;
  import_id: string | null;
  manifest_hash: string | null;
}

export function runRecords(db: Session, campaign: string): Promise<RunRecordRow[]> {
  return db.query<RunRecordRow>(
    `SELECT run_id, outcome, phase, error_code, fault_point, import_id::text AS import_id, manifest_hash
       FROM import_runs WHERE campaign = $1 ORDER BY id`,
    [campaign],
  );
}

/** `outcome` and, when there is one, ` error_code`: one string per run record. */
export function outcomes(runs: readonly RunRecordRow[]): string[] {
  return runs.map((r) => (r.error_code ? `${r.outcome} ${r.error_code}` : r.outcome));
}

/** The campaigns of the rows left in import_attempts (attempts in progress, or of a process that died). */
export async function attemptsLeft(db: Session): Promise<string[]> {
  const rows = await db.query<{ campaign: string }>('SELECT campaign FROM import_attempts ORDER BY run_id');
  return rows.map((r) => r.campaign);
}
