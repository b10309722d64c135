import type { Command } from 'commander';
import { cliContext, withDatabase } from '../context.js';
import { EXIT, formatTable, type Io, printJson, printLines } from '../output.js';
import { wholeNumber } from '../whole-number.js';

export function registerLog(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('log')
    .description("a campaign's ImportLog: one provenance row per object of every import, in sequence order")
    .option('-c, --campaign <slug>', 'campaign (default: config campaign, else "default")')
    .option('-n, --limit <rows>', 'at most this many rows', (v) => wholeNumber('--limit', v))
    .option('--json', 'print one JSON object on stdout')
    .action(async (opts: { campaign?: string; limit?: number; json?: boolean }, command: Command) => {
      const { importLog } = await import('../../ledger/campaign-read.js');
      const ctx = await cliContext(command, io);
      const campaign = opts.campaign ?? ctx.config.campaign;
      const rows = await withDatabase(ctx, (db) => importLog(db, campaign, opts.limit), { existing: true });
      if (opts.json) printJson(io, { campaign, entries: rows });
      else {
        printLines(
          io,
          formatTable([
            ['seq', 'import', 'phase', 'action', 'object_type', 'stable_id', 'file_hash'],
            ...rows.map((r) => [
              String(r.sequence_no),
              String(r.import_id),
              r.phase,
              r.action,
              r.object_type,
              r.stable_id,
              `${r.file_hash.slice(0, 16)}…`,
            ]),
          ]),
        );
      }
      setExit(EXIT.ok);
    });
}
