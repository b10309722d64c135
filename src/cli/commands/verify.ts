import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { InterruptedError, UsageError } from '../../errors.js';
import type { AgainstOptions, AgainstReport, AuditReport } from '../../ledger/audit.js';
import type { VerifyReport } from '../../ledger/chain-verifier.js';
import { cliContext, withDatabase } from '../context.js';
import { signalExitCode, stopOnSignals } from '../interrupt.js';
import {
  addMetricsOptions,
  checkMetricsFlags,
  exportMetrics,
  type MetricsFlags,
  metricsFor,
} from '../metrics-flags.js';
import { counted, EXIT, type Io, printError, printJson, printLines } from '../output.js';
import { progressReporter } from '../progress.js';
import { readPublicKeyFile } from './keygen.js';

interface VerifyFlags extends MetricsFlags {
  campaign?: string;
  json?: boolean;
  against?: string[];
  publicKey?: string;
  bundle?: string;
  chainOnly?: boolean;
}

export function registerVerify(program: Command, io: Io, setExit: (code: number) => void): void {
  addMetricsOptions(
    program
      .command('verify')
      .description(
        "recompute a campaign's hash chain from the stored bytes, check imports, ImportLog and projections against it, " +
          'and report the problems found (exit 4 on any; Ctrl-C or SIGTERM stops it, concluding nothing, exit 130/143)',
      )
      .option(
        '-c, --campaign <slug>',
        'campaign to verify (default: the checkpoint\'s or bundle\'s, else config campaign, else "default")',
      )
      .option(
        '--against <checkpoint...>',
        'also prove the chain still extends this checkpoint (a tip document from chronicle checkpoint); give several, or repeat it, to check every checkpoint you kept in one pass',
      )
      .option(
        '--public-key <pem>',
        "with --against: each checkpoint's signature must verify with this Ed25519 public key",
      )
      .option('--bundle <file>', 'verify an exported bundle instead of the database (no database is opened)')
      .option(
        '--chain-only',
        'check the hash chain and checkpoints only, not the imports, ImportLog, state digests and projections (several times faster)',
      )
      .option('--json', 'print one JSON object on stdout'),
  ).action(async (opts: VerifyFlags, command: Command) => {
    const { BundleFormatError, BundleUnreadableError } = await import('../../ledger/bundle-format.js');
    const { verifyBundle } = await import('../../ledger/verify-bundle.js');
    const { openBundle } = await import('../../ledger/bundle-source.js');
    const { verifyCampaign } = await import('../../ledger/verify-campaign.js');
    const { LOG_EVENTS } = await import('../../observability/logger.js');
    const ctx = await cliContext(command, io);
    await checkMetricsFlags(opts);
    const metrics = await metricsFor(opts);
    if (opts.publicKey && !opts.against) {
      throw new UsageError(
        '--public-key checks the signature of a checkpoint: give it with --against',
        {},
        'usage.invalid',
      );
    }
    const againstAll = await Promise.all(
      (opts.against ?? []).map((path) => readAgainst(path, opts.publicKey)),
    );
    for (const given of againstAll) {
      checkCampaign(given.document.campaign, opts.campaign, `the checkpoint ${given.label ?? ''}`);
    }
    checkSameCampaign(againstAll);
    const against = againstAll.length > 0 ? againstAll : undefined;
    const againstCampaign = againstAll[0]?.document.campaign;
    const progress = progressReporter(io, !opts.json);
    const onProgress = (n: number, expected?: number) =>
      progress.update(expected ? `verified ${n} of ${expected} events` : `verified ${n} events`);
    const stop = stopOnSignals((signal) => {
      progress.done();
      printError(io, [`chronicle: ${signal}: stopping the verification (${signal} again: exit at once)`]);
    }, 'verify');
    const audit = {
      onProgress,
      scope: opts.chainOnly ? ('chain' as const) : ('full' as const),
      signal: stop.signal,
      ...(against ? { against } : {}),
    };
    let report: AuditReport;
    try {
      if (opts.bundle) {
        // The campaign asked for is checked against the header first: not after a verification of the wrong file.
        const { header } = await openBundle(opts.bundle, basename(opts.bundle));
        checkCampaign(header.campaign, opts.campaign, `the bundle ${basename(opts.bundle)}`);
        report = await verifyBundle(opts.bundle, { label: basename(opts.bundle), ...audit });
      } else {
        const campaign = opts.campaign ?? againstCampaign ?? ctx.config.campaign;
        report = await withDatabase(ctx, (db) => verifyCampaign(db, campaign, audit), {
          existing: true,
          signal: stop.signal,
          progress,
        });
      }
    } catch (error) {
      progress.done();
      if (error instanceof InterruptedError && error.signal) {
        if (opts.json) printJson(io, { outcome: 'error', error: error.toJSON() });
        printError(io, [`chronicle: [${error.code}] ${error.message}`]);
        setExit(signalExitCode(error.signal));
        return;
      }
      // No bundle at that path: nothing was verified, a wrong path like an unreadable --against (exit 2).
      if (error instanceof BundleUnreadableError) {
        throw new UsageError(`--bundle ${error.message}`, error.facts, error.code);
      }
      if (!(error instanceof BundleFormatError)) throw error;
      if (opts.json) printJson(io, { ok: false, error: error.toJSON() });
      else printLines(io, [`verification FAILED: [${error.code}] ${error.message}`]);
      metrics?.verifyFailuresTotal.inc();
      // The campaign its header names, when the bundle got that far: its metrics are that campaign's. Without a
      // header, the campaign asked for, or that of the checkpoint it was checked against.
      const campaign =
        typeof error.facts.campaign === 'string' ? error.facts.campaign : (opts.campaign ?? againstCampaign);
      ctx.logger.warn(
        { event: LOG_EVENTS.verifyFailed, campaign: campaign ?? null, code: error.code },
        'the bundle cannot be read',
      );
      await exportMetrics(ctx, metrics, opts, campaign ?? ctx.config.campaign, 'verify');
      setExit(EXIT.verificationFailed);
      return;
    } finally {
      stop.release();
    }
    progress.done();
    printReport(io, report, Boolean(opts.json), opts.bundle ? basename(opts.bundle) : undefined);
    if (report.ok) {
      ctx.logger.info(
        {
          event: LOG_EVENTS.verifyOk,
          campaign: report.campaign,
          events: report.events,
          tip_hash: report.tipHash,
        },
        'chain verified',
      );
    } else {
      metrics?.verifyFailuresTotal.inc();
      ctx.logger.warn(
        {
          event: LOG_EVENTS.verifyFailed,
          campaign: report.campaign,
          events: report.events,
          problems: problemCount(report),
          first_bad_ordinal: report.firstBadOrdinal,
        },
        'verification failed',
      );
    }
    await exportMetrics(ctx, metrics, opts, report.campaign, 'verify');
    setExit(report.ok ? EXIT.ok : EXIT.verificationFailed);
  });
}

async function readAgainst(path: string, publicKeyPath: string | undefined): Promise<AgainstOptions> {
  const { parseCheckpoint } = await import('../../ledger/checkpoint.js');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code ?? String(error);
    throw new UsageError(
      `--against ${basename(path)}: cannot read it (${code})`,
      { file: basename(path) },
      'checkpoint.unreadable',
    );
  }
  const label = basename(path);
  const document = parseCheckpoint(text, label);
  return publicKeyPath
    ? { document, label, publicKey: await readPublicKeyFile(publicKeyPath, '--public-key') }
    : { document, label };
}

/** Several checkpoints are checked in one pass over one campaign's chain. */
function checkSameCampaign(againstAll: readonly AgainstOptions[]): void {
  const [first, ...rest] = againstAll;
  const other = rest.find((given) => given.document.campaign !== first?.document.campaign);
  if (first && other) {
    throw new UsageError(
      `the checkpoints ${first.label} and ${other.label} are for campaigns '${first.document.campaign}' and '${other.document.campaign}': verify one campaign at a time`,
      {},
      'usage.campaign_mismatch',
    );
  }
}

function checkCampaign(actual: string, requested: string | undefined, what: string): void {
  if (requested !== undefined && requested !== actual) {
    throw new UsageError(
      `${what} is for campaign '${actual}', not '${requested}'`,
      {},
      'usage.campaign_mismatch',
    );
  }
}

export function verifyJson(report: VerifyReport | AuditReport, bundle?: string): Record<string, unknown> {
  const against = 'against' in report ? report.against : undefined;
  const againstAll = 'againstAll' in report ? report.againstAll : undefined;
  return {
    ok: report.ok,
    ...('scope' in report ? { scope: report.scope } : {}),
    campaign: report.campaign,
    events: report.events,
    tip_hash: report.tipHash,
    ...(report.firstBadOrdinal !== undefined
      ? { first_bad_ordinal: report.firstBadOrdinal, reason: report.reason }
      : {}),
    ...(bundle !== undefined ? { bundle } : {}),
    ...(against ? { against: againstJson(against) } : {}),
    ...(againstAll
      ? { against_all: againstAll.map((one) => ({ file: one.label ?? null, ...againstJson(one) })) }
      : {}),
    problems: report.problems,
    ...(report.problemsOmitted ? { problems_omitted: report.problemsOmitted } : {}),
  };
}

function againstJson(against: AgainstReport): Record<string, unknown> {
  return {
    ordinal: against.ordinal,
    tip_hash: against.tipHash,
    created_at: against.createdAt,
    signature: against.signature,
    key_id: against.keyId,
    first_difference: against.firstDifference,
    last_agreement: against.lastAgreement,
    truncated: against.truncated,
  };
}

/** Every problem found, listed or not. */
function problemCount(report: VerifyReport): number {
  return report.problems.length + (report.problemsOmitted ?? 0);
}

export function printReport(
  io: Io,
  report: VerifyReport | AuditReport,
  json: boolean,
  bundle?: string,
): void {
  if (json) {
    printJson(io, verifyJson(report, bundle));
    return;
  }
  const against = 'against' in report ? report.against : undefined;
  const checked = ('againstAll' in report ? report.againstAll : undefined) ?? (against ? [against] : []);
  const several = checked.length > 1;
  const from = bundle ? ` (bundle ${bundle})` : '';
  const checkpointLines = checked.map(
    (one) =>
      `  checkpoint ${several && one.label ? `${one.label}: ` : ''}ordinal ${one.ordinal} of ${one.createdAt}, tip ${one.tipHash}, signature ${one.signature}${one.keyId ? ` (key ${one.keyId})` : ''}`,
  );
  const differences = checked
    .filter((one) => one.firstDifference !== null)
    .map((one) => {
      const which = several && one.label ? `checkpoint ${one.label}` : 'the checkpoint';
      return `  first ordinal that differs from ${which}: ${firstDifferenceText(one.firstDifference as number, one.lastAgreement)}`;
    });
  if (report.ok) {
    printLines(io, [
      `verified: campaign '${report.campaign}'${from} holds ${report.events} events; the chain is intact` +
        (several
          ? ` and extends ${checked.length === 2 ? 'both checkpoints' : `all ${checked.length} checkpoints`}`
          : against
            ? ` and extends the checkpoint`
            : ''),
      ...('scope' in report && report.scope === 'chain'
        ? ['  scope      the chain only (imports, ImportLog, state digests and projections not checked)']
        : []),
      `  chain tip  ${report.tipHash ?? '(empty)'}`,
      ...checkpointLines,
    ]);
    return;
  }
  // The verdict is the command's output, failed or not (`verify > report.txt` keeps it); the exit code says 4.
  printLines(io, [
    `verification FAILED for campaign '${report.campaign}'${from}: ${counted(problemCount(report), 'problem')}, first at ordinal ${report.firstBadOrdinal}`,
    ...differences,
    ...checkpointLines,
    ...report.problems.slice(0, 50).map((p) => `  ordinal ${p.ordinal}  ${p.kind}  ${p.message}`),
    ...(problemCount(report) > 50
      ? [
          `  ... ${problemCount(report) - 50} more (${report.problemsOmitted ? `--json lists the first ${report.problems.length}` : 'use --json for all'})`,
        ]
      : []),
  ]);
}

/**
 * The first ordinal that differs from a checkpoint: exact when the checkpoint holds the hash just before it, else
 * the bracket its trail allows (a sparse trail holds no hash in between).
 */
function firstDifferenceText(first: number, lastAgreement: number | null): string {
  if (lastAgreement === first - 1) return `${first}`;
  if (lastAgreement === null) return `${first} or earlier (no earlier hash of its trail still matches)`;
  return `between ${lastAgreement + 1} and ${first} (its trail holds no hash in between)`;
}
