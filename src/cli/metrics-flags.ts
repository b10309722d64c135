/**
 * `--metrics-file` and `--pushgateway` for one-shot commands (import, verify): the flags, their early check,
 * and the export after the run. A failed export is a warning (stderr and a log line); it never changes the
 * exit code, which belongs to what the command did.
 */
import type { Command } from 'commander';
import type { Metrics } from '../observability/metrics.js';
import type { CliContext } from './context.js';
import { assertWritableTarget } from './out-path.js';
import { describeFailure, printError } from './output.js';

export interface MetricsFlags {
  metricsFile?: string;
  pushgateway?: string;
}

export function addMetricsOptions(command: Command): Command {
  return command
    .option(
      '--metrics-file <path>',
      'write the metrics in Prometheus text format after the run (textfile collector)',
    )
    .option(
      '--pushgateway <url>',
      'push the metrics to a Prometheus Pushgateway after the run (job "chronicle")',
    );
}

/** Refuses a malformed --pushgateway, or a --metrics-file that cannot be a file, before the command does anything. */
export async function checkMetricsFlags(flags: MetricsFlags): Promise<void> {
  if (flags.metricsFile !== undefined) assertWritableTarget(flags.metricsFile, '--metrics-file');
  if (flags.pushgateway === undefined) return;
  const { checkPushgatewayUrl } = await import('../observability/export-metrics.js');
  checkPushgatewayUrl(flags.pushgateway);
}

/** The run's metrics, if the flags export them: without, nothing would read them (and prom-client stays unloaded). */
export async function metricsFor(flags: MetricsFlags): Promise<Metrics | undefined> {
  if (!flags.metricsFile && !flags.pushgateway) return undefined;
  const { Metrics } = await import('../observability/metrics.js');
  return new Metrics();
}

/**
 * Exports the run's metrics where the flags say. On a Pushgateway each command has its own group per campaign
 * (`campaign`, `command`): a push replaces its group, and a verification must not wipe the last import's counts.
 */
export async function exportMetrics(
  ctx: CliContext,
  metrics: Metrics | undefined,
  flags: MetricsFlags,
  campaign: string,
  command: 'import' | 'verify',
): Promise<void> {
  if (!metrics) return;
  const { pushMetrics, writeMetricsFile } = await import('../observability/export-metrics.js');
  const { LOG_EVENTS } = await import('../observability/logger.js');
  const targets: [string, () => Promise<void>][] = [];
  if (flags.metricsFile) {
    const file = flags.metricsFile;
    targets.push(['--metrics-file', () => writeMetricsFile(metrics, file, { campaign, command })]);
  }
  if (flags.pushgateway) {
    const url = flags.pushgateway;
    targets.push(['--pushgateway', () => pushMetrics(metrics, url, { campaign, command })]);
  }
  for (const [flag, run] of targets) {
    try {
      await run();
    } catch (error) {
      const reason = describeFailure(error);
      ctx.logger.error(
        { event: LOG_EVENTS.metricsExportFailed, target: flag, reason },
        'could not export the metrics',
      );
      printError(ctx.io, [`chronicle: warning: ${flag}: could not export the metrics: ${reason}`]);
    }
  }
}
