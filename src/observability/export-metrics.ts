/**
 * Getting a one-shot run's metrics out of the process: a Prometheus text file (node_exporter textfile
 * collector convention: written to a temporary name beside it, then renamed, so a scrape never reads half
 * a file) or a push to a Prometheus Pushgateway.
 */
import { Pushgateway } from 'prom-client';
import { UsageError } from '../errors.js';
import { replaceFile } from '../replace-file.js';
import type { Metrics } from './metrics.js';

/** The Pushgateway job every Chronicle push uses. */
export const PUSH_JOB = 'chronicle';
const PUSH_TIMEOUT_MS = 10_000;

/**
 * `labels` (the CLI gives `campaign` and `command`, as the Pushgateway's grouping keys) go on every series: the
 * textfile collector reads every `.prom` file of its folder as one exposition, and the files of an import and of a
 * verification, or of two campaigns, must not hold the same series (node_exporter then fails its scrape).
 */
export async function writeMetricsFile(
  metrics: Metrics,
  file: string,
  labels: Readonly<Record<string, string>> = {},
): Promise<void> {
  replaceFile(file, await metrics.text(labels));
}

/** Refuses a Pushgateway URL that is not http(s)://host[:port][/path] (before anything is imported). */
export function checkPushgatewayUrl(url: string): void {
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    // reported below
  }
  if (
    !parsed ||
    (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') ||
    parsed.search ||
    parsed.hash
  ) {
    throw new UsageError(
      '--pushgateway expects a URL such as http://pushgateway:9091',
      {},
      'usage.pushgateway_url',
    );
  }
}

/**
 * Replaces (HTTP PUT) the metrics of the group `job="chronicle"` plus `groupings` on the Pushgateway at `url`
 * with this registry: the gateway then holds the last run's counts for that group.
 */
export async function pushMetrics(
  metrics: Metrics,
  url: string,
  groupings: Readonly<Record<string, string>> = {},
): Promise<void> {
  const gateway = new Pushgateway(url, { timeout: PUSH_TIMEOUT_MS }, metrics.registry);
  await gateway.push({ jobName: PUSH_JOB, groupings: pathSafe(groupings) });
}

/**
 * The grouping labels as the Pushgateway reads them from the URL path: a value holding a `/` (a separator there
 * even URI-encoded), or empty, goes as `<name>@base64/<base64url value>` (its documented escape; a single `=`
 * for an empty value). Campaign names may hold a `/`.
 */
function pathSafe(groupings: Readonly<Record<string, string>>): Record<string, string> {
  const safe: Record<string, string> = {};
  for (const [name, value] of Object.entries(groupings)) {
    if (value === '') safe[`${name}@base64`] = '=';
    else if (value.includes('/')) safe[`${name}@base64`] = Buffer.from(value, 'utf8').toString('base64url');
    else safe[name] = value;
  }
  return safe;
}
