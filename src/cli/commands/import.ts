import type { Command } from 'commander';
import { ChronicleError, InterruptedError, UsageError } from '../../errors.js';
import type { ImportResult, ImportStage } from '../../importer/import-package.js';
import { cliContext, withDatabase } from '../context.js';
import { signalExitCode, stopOnSignals } from '../interrupt.js';
import {
  addMetricsOptions,
  checkMetricsFlags,
  exportMetrics,
  type MetricsFlags,
  metricsFor,
} from '../metrics-flags.js';
import {
  describeFailure,
  EXIT,
  exitCodeFor,
  formatCounts,
  type Io,
  printError,
  printJson,
  printLines,
} from '../output.js';
import { progressReporter } from '../progress.js';
import { checkpointAfterImport, prepareCheckpointDir } from './checkpoint.js';
import { readPrivateKeyFile } from './keygen.js';

/** What a terminal shows while the (synchronous) reading and planning run, before events are written. */
const STAGE_TEXT: Record<ImportStage, string> = {
  fingerprint: 'hashing the files: is this package imported already?…',
  read: 'reading and checking the package files…',
  plan: 'validating and planning…',
  apply: 'writing…',
};

interface ImportFlags extends MetricsFlags {
  campaign?: string;
  lockTimeout?: string;
  strict?: boolean;
  embeddings: boolean;
  json?: boolean;
  injectFault?: string[];
  scenario?: string;
  checkpointDir?: string;
  checkpointKey?: string;
}

export function registerImport(program: Command, io: Io, setExit: (code: number) => void): void {
  addMetricsOptions(
    program
      .command('import')
      .description(
        'import a package into a campaign in one transaction (a rerun of the same package is a no-op; ' +
          'Ctrl-C or SIGTERM rolls it back and records the attempt, exit 130/143)',
      )
      .argument('<package-dir>', 'the package directory (holds package.manifest.json)')
      .option('-c, --campaign <slug>', 'campaign to import into (default: config campaign, else "default")')
      .option(
        '--lock-timeout <duration>',
        "how long to wait for the campaign's lock while another import holds it (and, embedded, for the data directory another process holds), e.g. 500ms, 30s, 10min (default: config lock_timeout, else 30s)",
      )
      .option(
        '--strict',
        'strict validation: complete content_index, schemas, real ULIDs, no duplicate keys, LF+NFC',
      )
      .option('--no-embeddings', 'leave lore embedding_hint out of chunks')
      .option('--json', 'print one JSON object on stdout')
      .option(
        '--inject-fault <point[:kind]>',
        'QA only (needs CHRONICLE_ALLOW_FAULTS=1): fail at a named point; kinds throw, db-error, terminate, kill, sigint, sigterm',
        (value: string, previous: string[] = []) => [...previous, value],
      )
      .option(
        '--scenario <name>',
        'QA label for this attempt (e.g. the harness scenario), added to every log line',
      ),
  )
    .option('--checkpoint-dir <dir>', 'after a commit, write a checkpoint (tip document) there and record it')
    .option(
      '--checkpoint-key <pem>',
      'with --checkpoint-dir: sign the checkpoints with this Ed25519 private key',
    )
    .action(async (dir: string, opts: ImportFlags, command: Command) => {
      // First of all: a worker stopped while it starts (reading its configuration, loading modules) still says
      // so, and stops before it writes anything (recorded like any stopped import, exit 130/143).
      let progress: ReturnType<typeof progressReporter> | null = null;
      const stop = stopOnSignals((signal) => {
        progress?.done();
        printError(io, [
          `chronicle: ${signal}: stopping the import; it rolls back unless it has committed (${signal} again: exit at once)`,
        ]);
      });
      try {
        const { armFaults, checkFaultsSupported, parseFaultSpec } = await import('../../importer/faults.js');
        const { disabledImport, importPackage } = await import('../../importer/import-package.js');
        const { withFlags } = await import('../config.js');
        const ctx = await cliContext(command, io);
        const { lock_timeout: lockTimeout } = withFlags(
          ctx.config,
          { lock_timeout: opts.lockTimeout },
          '--lock-timeout',
        );
        if (opts.injectFault?.length && process.env.CHRONICLE_ALLOW_FAULTS !== '1') {
          throw new UsageError(
            '--inject-fault is refused unless CHRONICLE_ALLOW_FAULTS=1 is set',
            {},
            'usage.faults_not_allowed',
          );
        }
        const specs = (opts.injectFault ?? []).map(parseFaultSpec);
        const faults = armFaults(specs);
        await checkMetricsFlags(opts);
        const campaign = opts.campaign ?? ctx.config.campaign;
        if (opts.checkpointKey && !opts.checkpointDir) {
          throw new UsageError(
            '--checkpoint-key signs the checkpoints of --checkpoint-dir: give both',
            {},
            'usage.invalid',
          );
        }
        const checkpointKey = opts.checkpointKey
          ? await readPrivateKeyFile(opts.checkpointKey, '--checkpoint-key')
          : undefined;
        if (opts.checkpointDir) prepareCheckpointDir(opts.checkpointDir);
        let checkpointFile: string | null = null;
        let checkpointError: string | null = null;
        const metrics = await metricsFor(opts);
        const shown = progressReporter(io, !opts.json);
        let opened = false;
        progress = shown;
        // Disabled: no database is opened (none may be reachable, and an embedded one is not created for it).
        const result = !ctx.config.features.importer
          ? disabledImport({ campaign, metrics, logger: ctx.logger, scenario: opts.scenario })
          : await withDatabase(
              ctx,
              async (db) => {
                opened = true;
                checkFaultsSupported(specs, db.backend);
                const imported = await importPackage(db, dir, {
                  campaign,
                  plan: {
                    strict: opts.strict ?? ctx.config.strict,
                    embeddings: opts.embeddings && ctx.config.features.importer_embeddings,
                  },
                  faults,
                  scenario: opts.scenario,
                  metrics,
                  logger: ctx.logger,
                  lockTimeout,
                  batchSize: ctx.config.batch_size,
                  signal: stop.signal,
                  onStage: (stage) => shown.update(STAGE_TEXT[stage], { force: true }),
                  onProgress: (p) =>
                    shown.update(
                      `writing ${p.phase}: ${p.eventsWritten}${p.eventsTotal === null ? '' : `/${p.eventsTotal}`} events`,
                    ),
                });
                if (opts.checkpointDir && imported.outcome === 'committed') {
                  // The import is committed whatever happens here: report it, and the checkpoint's failure beside it.
                  try {
                    checkpointFile = await checkpointAfterImport(
                      db,
                      campaign,
                      opts.checkpointDir,
                      checkpointKey,
                    );
                  } catch (error) {
                    checkpointError = describeFailure(error);
                  }
                }
                return imported;
              },
              { signal: stop.signal, lockTimeout, progress: shown },
            ).catch(async (error: unknown) => {
              // No database to import into (unreachable, refused, a newer schema): an attempt that failed, in the
              // metrics too (no run record can say so); the import itself records and counts everything else.
              if (
                !opened &&
                metrics &&
                error instanceof ChronicleError &&
                !(error instanceof InterruptedError)
              ) {
                metrics.importsTotal.inc({ outcome: 'rolled_back' });
                metrics.importRollbackTotal.inc({ phase: 'database', code: error.code });
                await exportMetrics(ctx, metrics, opts, campaign, 'import');
              }
              throw error;
            });
        shown.done();
        if (opts.json)
          printJson(io, {
            ...importJson(result),
            ...(checkpointFile ? { checkpoint: checkpointFile } : {}),
            ...(checkpointError ? { checkpoint_error: checkpointError } : {}),
          });
        else printHuman(io, result);
        if (checkpointFile && !opts.json) printLines(io, [`  checkpoint     ${checkpointFile}`]);
        if (checkpointError) {
          printError(io, [
            `chronicle: --checkpoint-dir: the import is committed, but its checkpoint could not be written: ${checkpointError}`,
          ]);
        }
        await exportMetrics(ctx, metrics, opts, campaign, 'import');
        // A missing checkpoint is an operational failure (exit 3) even though the import itself committed.
        setExit(
          result.error
            ? result.error.code === 'import.interrupted' && typeof result.error.signal === 'string'
              ? signalExitCode(result.error.signal as NodeJS.Signals)
              : exitCodeFor(result.error.code)
            : checkpointError
              ? EXIT.internal
              : EXIT.ok,
        );
      } finally {
        progress?.done();
        stop.release();
      }
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
    case 'unknown':
      printError(io, [
        `unknown: [${result.error?.code}] ${result.error?.message}`,
        `  run id         ${result.runId}`,
        `  package        ${result.packageId ?? '-'}`,
      ]);
      return;
    case 'rolled_back':
      printError(io, [
        `rolled back: [${result.error?.code}] ${result.error?.message}`,
        `  phase          ${result.error?.phase}`,
        '  nothing was written to the campaign',
      ]);
  }
}
