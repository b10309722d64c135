/** `chronicle export`: a campaign as an offline audit bundle (NDJSON), for `verify --bundle` anywhere. */
import { basename } from 'node:path';
import type { Command } from 'commander';
import { InterruptedError } from '../../errors.js';
import { cliContext, withDatabase } from '../context.js';
import { signalExitCode, stopOnSignals } from '../interrupt.js';
import { assertWritableTarget } from '../out-path.js';
import { counted, EXIT, type Io, printError, printJson, printLines } from '../output.js';
import { progressReporter } from '../progress.js';

export function registerExport(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('export')
    .description(
      'write a campaign as an audit bundle: every event with its stored bytes, imports, ImportLog, projections, checkpoints (Ctrl-C or SIGTERM leaves no file, exit 130/143)',
    )
    .option('-c, --campaign <slug>', 'campaign (default: config campaign, else "default")')
    .requiredOption('--out <file>', 'the bundle file to write (NDJSON; appears only when complete)')
    .option('--json', 'print one JSON object on stdout')
    .action(async (opts: { campaign?: string; out: string; json?: boolean }, command: Command) => {
      const { exportBundle } = await import('../../ledger/export-bundle.js');
      assertWritableTarget(opts.out, '--out');
      const ctx = await cliContext(command, io);
      const campaign = opts.campaign ?? ctx.config.campaign;
      const progress = progressReporter(io, !opts.json);
      const stop = stopOnSignals((signal) => {
        progress.done();
        printError(io, [
          `chronicle: ${signal}: stopping the export; ${basename(opts.out)} is not written (${signal} again: exit at once)`,
        ]);
      }, 'export');
      let result: Awaited<ReturnType<typeof exportBundle>>;
      try {
        result = await withDatabase(
          ctx,
          (db) =>
            exportBundle(db, campaign, opts.out, {
              signal: stop.signal,
              onProgress: (n, expected) => progress.update(`exported ${n} of ${expected ?? '?'} events`),
            }),
          { existing: true, signal: stop.signal, progress },
        );
      } catch (error) {
        if (!(error instanceof InterruptedError && error.signal)) throw error;
        if (opts.json) printJson(io, { outcome: 'error', error: error.toJSON() });
        printError(io, [`chronicle: [${error.code}] ${error.message}`]);
        setExit(signalExitCode(error.signal));
        return;
      } finally {
        progress.done();
        stop.release();
      }
      if (opts.json) {
        printJson(io, {
          campaign,
          file: basename(opts.out),
          counts: result.counts,
          tip_hash: result.tipHash,
          bytes: result.bytes,
        });
      } else {
        const c = result.counts;
        printLines(io, [
          `exported campaign '${campaign}' to ${basename(opts.out)}: ${counted(c.event, 'event')}, ${counted(c.import, 'import')}, ${counted(c.import_log, 'ImportLog row')}, ${counted(c.projection, 'projection row')}, ${counted(c.checkpoint, 'checkpoint')}`,
          `  chain tip  ${result.tipHash ?? '(empty)'}`,
        ]);
      }
      setExit(EXIT.ok);
    });
}
