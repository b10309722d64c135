import type { Command } from 'commander';
import { type VerifyReport, verifyCampaign } from '../../index.js';
import { cliContext, withDatabase } from '../context.js';
import { EXIT, type Io, printError, printJson, printLines } from '../output.js';
import { progressReporter } from '../progress.js';

export function registerVerify(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('verify')
    .description("recompute a campaign's hash chain from the stored bytes and report every problem (exit 4 on any)")
    .option('-c, --campaign <slug>', 'campaign to verify (default: config campaign, else "default")')
    .option('--json', 'print one JSON object on stdout')
    .action(async (opts: { campaign?: string; json?: boolean }, command: Command) => {
      const ctx = cliContext(command, io);
      const campaign = opts.campaign ?? ctx.config.campaign;
      const progress = progressReporter(io, !opts.json);
      const report = await withDatabase(ctx, (db) =>
        verifyCampaign(db, campaign, { onProgress: (n) => progress.update(`verified ${n} events`) }),
      );
      progress.done();
      printReport(io, report, Boolean(opts.json));
      setExit(report.ok ? EXIT.ok : EXIT.verificationFailed);
    });
}

export function verifyJson(report: VerifyReport): Record<string, unknown> {
  return {
    ok: report.ok,
    campaign: report.campaign,
    events: report.events,
    tip_hash: report.tipHash,
    ...(report.firstBadOrdinal !== undefined ? { first_bad_ordinal: report.firstBadOrdinal, reason: report.reason } : {}),
    problems: report.problems,
  };
}

export function printReport(io: Io, report: VerifyReport, json: boolean): void {
  if (json) {
    printJson(io, verifyJson(report));
    return;
  }
  if (report.ok) {
    printLines(io, [
      `verified: campaign '${report.campaign}' holds ${report.events} events; the chain is intact`,
      `  chain tip  ${report.tipHash ?? '(empty)'}`,
    ]);
    return;
  }
  printError(io, [
    `verification FAILED for campaign '${report.campaign}': ${report.problems.length} problem(s), first at ordinal ${report.firstBadOrdinal}`,
    ...report.problems.slice(0, 50).map((p) => `  ordinal ${p.ordinal}  ${p.kind}  ${p.message}`),
    ...(report.problems.length > 50 ? [`  ... ${report.problems.length - 50} more (use --json for all)`] : []),
  ]);
}
