/**
 * `--metrics-file` and `--pushgateway` for one-shot commands (import, verify): the flags, their early check,
 * and the export after the run. A failed export is a warning (stderr and a log line); it never changes the
 * exit code, which belongs to what the command did.
 */
import type { Command } from 'commander';
import { checkPushgatewayUrl, LOG_EVENTS, type Metrics, pushMetrics, writeMetricsFile } from '../index.js';
import type { CliContext } from './context.js';
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

/** Refuses a malformed --pushgateway before the command does anything. */
export function checkMetricsFlags(flags: MetricsFlags): void {
  if (flags.pushgateway !== undefined) checkPushgatewayUrl(flags.pushgateway);
}

export async function exportMetrics(
  ctx: CliContext,
  metrics: Metrics,
  flags: MetricsFlags,
  campaign: string,
): Promise<void> {
  const targets: [string, () => Promise<void>][] = [];
  if (flags.metricsFile) {
    const file = flags.metricsFile;
    targets.push(['--metrics-file', () => writeMetricsFile(metrics, file)]);
  }
  if (flags.pushgateway) {
    const url = flags.pushgateway;
    targets.push(['--pushgateway', () => pushMetrics(metrics, url, { campaign })]);
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
