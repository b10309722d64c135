import type { Command } from 'commander';
import { cliContext, withDatabase } from '../context.js';
import { counted, EXIT, type Io, printJson, printLines } from '../output.js';

export function registerDigest(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('digest')
    .description(
      "state digest of a campaign's projections (the reference algorithm; one package gives its plan digest)",
    )
    .option('-c, --campaign <slug>', 'campaign (default: config campaign, else "default")')
    .option('--json', 'print one JSON object on stdout')
    .action(async (opts: { campaign?: string; json?: boolean }, command: Command) => {
      const { campaignDigest } = await import('../../ledger/campaign-read.js');
      const ctx = await cliContext(command, io);
      const digest = await withDatabase(
        ctx,
        (db) => campaignDigest(db, opts.campaign ?? ctx.config.campaign),
        { existing: true },
      );
      if (opts.json) {
        printJson(io, {
          campaign: digest.campaign,
          state_digest: digest.stateDigest,
          components: digest.components,
          imports: digest.imports,
        });
      } else {
        printLines(io, [
          `${digest.stateDigest}  campaign '${digest.campaign}' (${counted(digest.imports, 'import')}, ${counted(digest.components, 'component')})`,
        ]);
      }
      setExit(EXIT.ok);
    });
}
