import type { Command } from 'commander';
import { cliContext, withDatabase } from '../context.js';
import { counted, EXIT, formatTable, type Io, printJson, printLines } from '../output.js';

export function registerCampaigns(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('campaigns')
    .description('the campaigns in the database, by name: events, imports, last import and chain tip')
    .option('--json', 'print one JSON object on stdout')
    .action(async (opts: { json?: boolean }, command: Command) => {
      const { listCampaigns } = await import('../../ledger/campaign-read.js');
      const ctx = await cliContext(command, io);
      const campaigns = await withDatabase(ctx, (db) => listCampaigns(db), { existing: true });
      if (opts.json) printJson(io, { campaigns });
      else {
        printLines(io, [
          ...formatTable([
            ['campaign', 'events', 'imports', 'last_import_at', 'tip_hash'],
            ...campaigns.map((c) => [
              c.campaign,
              String(c.events),
              String(c.imports),
              c.last_import_at ?? '-',
              c.tip_hash ? `${c.tip_hash.slice(0, 16)}…` : '-',
            ]),
          ]).map((line) => line.trimEnd()),
          counted(campaigns.length, 'campaign'),
        ]);
      }
      setExit(EXIT.ok);
    });
}
