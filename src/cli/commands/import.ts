import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  type ImportResult,
  Metrics,
  UsageError,
  armFaults,
  importPackage,
  parseFaultSpec,
} from '../../index.js';
import { cliContext, withDatabase } from '../context.js';
import { EXIT, type Io, exitCodeFor, formatCounts, printError, printJson, printLines } from '../output.js';
import { progressReporter } from '../progress.js';

interface ImportFlags {
  campaign?: string;
  strict?: boolean;
  embeddings: boolean;
  json?: boolean;
  injectFault?: string[];
  metricsFile?: string;
}

export function registerImport(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('import')
    .description('import a package into a campaign in one transaction (a rerun of the same package is a no-op)')
    .argument('<package-dir>', 'the package directory (holds package.manifest.json)')
    .option('-c, --campaign <slug>', 'campaign to import into (default: config campaign, else "default")')
    .option('--strict', 'strict validation: complete content_index, schemas, real ULIDs, no duplicate keys, LF+NFC')
    .option('--no-embeddings', 'leave lore embedding_hint out of chunks')
    .option('--json', 'print one JSON object on stdout')
    .option(
      '--inject-fault <point[:kind]>',
      'QA only (needs CHRONICLE_ALLOW_FAULTS=1): fail at a named point; kinds throw, db-error, terminate, kill',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--metrics-file <path>', 'write the metrics in Prometheus text format after the run (textfile collector)')
    .action(async (dir: string, opts: ImportFlags, command: Command) => {
      const ctx = cliContext(command, io);
      if (opts.injectFault?.length && process.env.CHRONICLE_ALLOW_FAULTS !== '1') {
        throw new UsageError('--inject-fault is refused unless CHRONICLE_ALLOW_FAULTS=1 is set', {}, 'usage.faults_not_allowed');
      }
      const faults = armFaults((opts.injectFault ?? []).map(parseFaultSpec));
      const metrics = new Metrics();
      const progress = progressReporter(io, !opts.json);
      const result = await withDatabase(ctx, (db) =>
        importPackage(db, dir, {
          campaign: opts.campaign ?? ctx.config.campaign,
          plan: {
            strict: opts.strict ?? ctx.config.strict,
            embeddings: opts.embeddings && ctx.config.features.importer_embeddings,
          },
          enabled: ctx.config.features.importer,
          faults,
          metrics,
          logger: ctx.logger,
          lockTimeout: ctx.config.lock_timeout,
          batchSize: ctx.config.batch_size,
          onProgress: (p) => progress.update(`${p.phase}: ${p.eventsWritten}/${p.eventsTotal} events`),
        }),
      );
      progress.done();
      if (opts.metricsFile) writeFileSync(opts.metricsFile, await metrics.text());
      if (opts.json) printJson(io, importJson(result));
      else printHuman(io, result);
      setExit(result.error ? exitCodeFor(result.error.code) : EXIT.ok);
    });
}

export function importJson(result: ImportResult): Record<string, unknown> {
  return {
    outcome: result.outcome,
    run_id: result.runId,
    campaign: result.campaign,
    package_id: result.packageId,
    manifest_hash: result.manifestHash,
    state_digest: result.stateDigest,
    counts: result.counts,
    events_appended: result.eventsAppended,
    objects_skipped: result.objectsSkipped,
    first_ordinal: result.firstOrdinal,
    last_ordinal: result.lastOrdinal,
    tip_hash: result.tipHash,
    duration_ms: result.durationMs,
    ...(result.error ? { error: result.error } : {}),
  };
}

function printHuman(io: Io, result: ImportResult): void {
  const detail = [
    `  package        ${result.packageId ?? '-'}`,
    `  manifest hash  ${result.manifestHash ?? '-'}`,
    `  state digest   ${result.stateDigest ?? '-'}`,
    `  counts         ${formatCounts(result.counts ? { ...result.counts } : null)}`,
  ];
  switch (result.outcome) {
    case 'committed':
      printLines(io, [
        `committed: ${result.eventsAppended} events appended to campaign '${result.campaign}' ` +
          `(ordinals ${result.firstOrdinal}-${result.lastOrdinal})` +
          (result.objectsSkipped ? `, ${result.objectsSkipped} objects already present and skipped` : ''),
        ...detail,
        `  chain tip      ${result.tipHash}`,
      ]);
      return;
    case 'noop':
      printLines(io, [
        `noop: this package is already in campaign '${result.campaign}' (ordinals ${result.firstOrdinal}-${result.lastOrdinal}); nothing written`,
        ...detail,
        `  chain tip      ${result.tipHash}`,
      ]);
      return;
    case 'disabled':
      printLines(io, ['disabled: features.importer is false; nothing imported']);
      return;
    case 'rolled_back':
      printError(io, [
        `rolled back: [${result.error?.code}] ${result.error?.message}`,
        `  phase          ${result.error?.phase}`,
        '  nothing was written to the campaign',
      ]);
  }
}
