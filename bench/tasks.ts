/**
 * The measurements. Each runs in a process of its own (measure.ts), so that its peak RSS is its own, and loads
 * only the modules its task uses (a verify process does not carry the importer, as `chronicle verify` does not).
 * Timers cover only the measured work, never opening the database.
 */
import { mkdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fixedClock } from '../src/clock.js';
import type { Database } from '../src/db/database.js';
import { openDatabase } from '../src/db/open-database.js';
import type { ImportOptions, ImportResult } from '../src/importer/import-package.js';
import type { VerifyScope } from '../src/ledger/audit.js';
import type { Counts } from '../src/plan/types.js';
import type { DbTarget } from './databases.js';

export const CAMPAIGN = 'bench';
export const RESULT_PREFIX = 'BENCH-RESULT ';

export type Task =
  | { kind: 'record'; target: DbTarget; dir: string; logDir: string }
  | { kind: 'baseline'; target: DbTarget; logDir: string }
  | { kind: 'import'; target: DbTarget; dir: string }
  | { kind: 'verify'; target: DbTarget; scope: VerifyScope }
  | { kind: 'plan'; dir: string }
  | { kind: 'build-chain'; target: DbTarget; dir: string }
  | { kind: 'digest'; target: DbTarget };

export type TaskResult = Record<string, number | string | boolean | Record<string, string>>;

/** Every bench import runs at the same wall time, so its rows are byte-identical to the recorded ones. */
const importOptions = (): ImportOptions => ({
  campaign: CAMPAIGN,
  clock: fixedClock('2025-01-01T00:00:00Z'),
});

const peakRssMb = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

const objectsOf = (counts: Counts | null): number =>
  counts ? counts.entities + counts.edges + counts.tags + counts.affordances + counts.chunks : 0;

function open(target: DbTarget): Promise<Database> {
  return target.backend === 'pg'
    ? openDatabase({ databaseUrl: target.url })
    : openDatabase({ dataDir: target.dataDir });
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await work();
  return [value, performance.now() - started];
}

function expectOutcome(result: ImportResult, outcome: ImportResult['outcome'], what: string): void {
  if (result.outcome !== outcome) {
    throw new Error(
      `bench: ${what} ended ${result.outcome}, expected ${outcome}: ${result.error?.message ?? ''}`,
    );
  }
}

async function withDatabase<T>(target: DbTarget, work: (db: Database) => Promise<T>): Promise<T> {
  const db = await open(target);
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

export async function runTask(task: Task): Promise<TaskResult> {
  switch (task.kind) {
    case 'record': {
      const { importPackage } = await import('../src/importer/import-package.js');
      const { recordingDatabase } = await import('./statement-log.js');
      return withDatabase(task.target, async (db) => {
        mkdirSync(task.logDir, { recursive: true });
        const recorder = recordingDatabase(db, task.logDir);
        const result = await importPackage(recorder.db, task.dir, importOptions());
        recorder.finish();
        expectOutcome(result, 'committed', 'the recorded import');
        return { objects: objectsOf(result.counts), events: result.eventsAppended };
      });
    }
    case 'baseline': {
      const { loadLog, replayLog } = await import('./statement-log.js');
      const log = loadLog(task.logDir);
      return withDatabase(task.target, async (db) => {
        const [, ms] = await timed(() => replayLog(db, log));
        return { baseline_copy_ms: ms, copy_bytes: log.bytes };
      });
    }
    case 'import': {
      const { importPackage } = await import('../src/importer/import-package.js');
      const { hashFiles } = await import('./hash-files.js');
      return withDatabase(task.target, async (db) => {
        const [imported, importMs] = await timed(() => importPackage(db, task.dir, importOptions()));
        const importPeak = peakRssMb();
        expectOutcome(imported, 'committed', 'the import');
        const [rerun, rerunMs] = await timed(() => importPackage(db, task.dir, importOptions()));
        expectOutcome(rerun, 'noop', 'the rerun');
        const [hashed, hashMs] = await timed(async () => hashFiles(task.dir));
        return {
          objects: objectsOf(imported.counts),
          events: imported.eventsAppended,
          import_ms: importMs,
          import_peak_rss_mb: importPeak,
          rerun_ms: rerunMs,
          hash_files_ms: hashMs,
          hashed_files: hashed.files,
          hashed_bytes: hashed.bytes,
        };
      });
    }
    case 'verify': {
      const { verifyCampaign } = await import('../src/ledger/verify-campaign.js');
      return withDatabase(task.target, async (db) => {
        const [report, ms] = await timed(() => verifyCampaign(db, CAMPAIGN, { scope: task.scope }));
        if (!report.ok) throw new Error(`bench: verification failed: ${report.reason ?? 'unknown reason'}`);
        return { verify_ms: ms, verify_events: report.events, verify_peak_rss_mb: peakRssMb() };
      });
    }
    case 'plan': {
      const { planImport } = await import('../src/plan/plan-import.js');
      const [plan, ms] = await timed(() => planImport(task.dir));
      return { plan_ms: ms, objects: objectsOf(plan.counts) };
    }
    case 'build-chain': {
      const { importPackage } = await import('../src/importer/import-package.js');
      return withDatabase(task.target, async (db) => {
        const result = await importPackage(db, task.dir, importOptions());
        expectOutcome(result, 'committed', 'the import of the --verify-events package');
        return { events: result.eventsAppended };
      });
    }
    case 'digest': {
      const { tableDigest } = await import('../src/db/table-digest.js');
      return withDatabase(task.target, async (db) => ({ digests: await tableDigest(db) }));
    }
  }
}
