import type { Command } from 'commander';
import { cliContext, withDatabase } from '../context.js';
import { counted, EXIT, formatTable, type Io, printJson, printLines } from '../output.js';
import { wholeNumber } from '../whole-number.js';

export function registerRuns(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('runs')
    .description(
      'every import attempt with its outcome (committed, noop, rolled_back) and, for failures, why',
    )
    .option('-c, --campaign <slug>', 'only this campaign (default: all)')
    .option('-n, --limit <runs>', 'the most recent N attempts (default 50)', (v) => wholeNumber('--limit', v))
    .option('--json', 'print one JSON object on stdout')
    .action(async (opts: { campaign?: string; limit?: number; json?: boolean }, command: Command) => {
      const { importRuns } = await import('../../ledger/campaign-read.js');
      const ctx = await cliContext(command, io);
      const runs = await withDatabase(ctx, (db) => importRuns(db, opts.campaign, opts.limit ?? 50));
      if (opts.json) printJson(io, { runs });
      else {
        printLines(io, [
          ...formatTable([
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
          ]).map((line) => line.trimEnd()),
          counted(runs.length, 'run'),
        ]);
      }
      setExit(EXIT.ok);
    });
}
