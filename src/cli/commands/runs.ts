import type { Command } from 'commander';
import type { AttemptRecord } from '../../importer/attempts.js';
import { cliContext, withDatabase } from '../context.js';
import { counted, EXIT, formatTable, type Io, printJson, printLines } from '../output.js';
import { wholeNumber } from '../whole-number.js';

export function registerRuns(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('runs')
    .description(
      'every import attempt with its outcome (committed, noop, rolled_back) and, for failures, why; then the imports still running, and those whose process died before they were recorded',
    )
    .option('-c, --campaign <slug>', 'only this campaign (default: all)')
    .option('-n, --limit <runs>', 'the most recent N attempts (default 50)', (v) => wholeNumber('--limit', v))
    .option('--json', 'print one JSON object on stdout')
    .action(async (opts: { campaign?: string; limit?: number; json?: boolean }, command: Command) => {
      const { importRuns } = await import('../../ledger/campaign-read.js');
      const { attemptsLeft } = await import('../../importer/attempts.js');
      const ctx = await cliContext(command, io);
      // Only reads: an attempt whose process died is listed as abandoned until the next import into its campaign
      // records it (and counts it in that import's metrics). The attempts are read before the runs: one that ends
      // in between is then listed twice (running, and its run record), never missing from both.
      const { runs, running, abandoned } = await withDatabase(
        ctx,
        async (db) => {
          const left = await attemptsLeft(db, opts.campaign);
          return { ...left, runs: await importRuns(db, opts.campaign, opts.limit ?? 50) };
        },
        { existing: true },
      );
      if (opts.json) {
        printJson(io, {
          runs,
          in_progress: running.map(attemptJson),
          abandoned: abandoned.map((a) => ({ ...attemptJson(a), import_id: a.importId })),
        });
      } else {
        const table = formatTable([
          ['started_at', 'outcome', 'campaign', 'package', 'error'],
          ...runs.map((r) => [
            r.started_at,
            r.outcome,
            r.campaign,
            r.package_id ?? '-',
            r.error_code
              ? `[${r.error_code}] ${r.phase ?? ''}${r.fault_point ? ` at ${r.fault_point}` : ''}`
              : '',
          ]),
          ...running.map((a) => [
            a.startedAt,
            'running',
            a.campaign,
            a.packageId ?? '-',
            `process ${a.pid} on ${a.host}`,
          ]),
          ...abandoned.map((a) => [
            a.startedAt,
            'abandoned',
            a.campaign,
            a.packageId ?? '-',
            `process ${a.pid} on ${a.host} is gone${a.importId ? ' after its commit' : ''}; not recorded yet`,
          ]),
        ]).map((line) => line.trimEnd());
        // Each failed run's reason on the line under it (the table says what failed, this line why), or how a
        // committed run was recorded by another import.
        const [header = '', ...rows] = table;
        printLines(io, [
          header,
          ...rows.flatMap((line, index) => {
            const reason = runs[index]?.error_message;
            return reason ? [line, `    ${oneLine(reason)}`] : [line];
          }),
          counted(runs.length, 'run') +
            (running.length > 0 ? `, ${running.length} in progress` : '') +
            (abandoned.length > 0
              ? `, ${abandoned.length} abandoned and not recorded yet (the next import into its campaign records it)`
              : ''),
        ]);
      }
      setExit(EXIT.ok);
    });
}

/** A reason as one line of at most `REASON_CHARS` characters (the whole of it is in `--json`). */
function oneLine(reason: string): string {
  const flat = reason.replace(/\s+/g, ' ');
  return flat.length > REASON_CHARS ? `${flat.slice(0, REASON_CHARS - 1)}…` : flat;
}

const REASON_CHARS = 200;

function attemptJson(a: AttemptRecord): Record<string, unknown> {
  return {
    run_id: a.runId,
    campaign: a.campaign,
    package_id: a.packageId,
    manifest_hash: a.manifestHash,
    pid: a.pid,
    host: a.host,
    started_at: a.startedAt,
  };
}
