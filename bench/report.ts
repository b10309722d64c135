/**
 * From measurements to results: one record per run (ratios computed within the run, pair by pair), the
 * JSON object the issue specifies (medians over the runs, plus every run), and the text table.
 */
import type { Backend } from '../src/db/database.js';

/** What one run measured; ratios pair measurements taken in the same run. */
export interface RunRecord {
  run: number;
  baseline_copy_ms: number;
  baseline_copy_objects_per_s: number;
  import_ms: number;
  import_objects_per_s: number;
  import_vs_copy: number;
  import_peak_rss_mb: number;
  rerun_ms: number;
  hash_files_ms: number;
  rerun_vs_hash: number;
  /** Verification (every check) of the chain the import wrote. */
  verify_events: number;
  verify_ms: number;
  verify_events_per_s: number;
  verify_peak_rss_mb: number;
  /** `verify --chain-only` (the hash chain alone) of the chain the import wrote. */
  verify_chain_only_ms: number;
  verify_chain_only_events_per_s: number;
  verify_chain_only_peak_rss_mb: number;
  /** Verification of the `--verify-events` chain, when one was built: every check, then the chain alone. */
  chain_verify_events?: number;
  chain_verify_ms?: number;
  chain_verify_events_per_s?: number;
  chain_verify_peak_rss_mb?: number;
  chain_verify_chain_only_ms?: number;
  chain_verify_chain_only_events_per_s?: number;
  chain_verify_chain_only_peak_rss_mb?: number;
  plan_ms: number;
  plan_objects_per_s: number;
}

export interface RawRun {
  objects: number;
  baselineMs: number;
  importMs: number;
  importPeakRssMb: number;
  rerunMs: number;
  hashFilesMs: number;
  verify: VerifyFigures;
  verifyChainOnly: VerifyFigures;
  chainVerify: VerifyFigures | null;
  chainVerifyChainOnly: VerifyFigures | null;
  planMs: number;
}

export interface VerifyFigures {
  events: number;
  ms: number;
  peakRssMb: number;
}

export interface BenchResult {
  objects: number;
  backend: Backend;
  baseline_copy_objects_per_s: number;
  import_objects_per_s: number;
  import_vs_copy: number;
  rerun_ms: number;
  hash_files_ms: number;
  rerun_vs_hash: number;
  /** Of the `--verify-events` chain when one was built, else of the chain the import wrote. */
  verify_events_per_s: number;
  verify_peak_rss_mb: number;
  /** `verify --chain-only`, of the same chain as `verify_events_per_s`. */
  verify_chain_only_events_per_s: number;
  verify_chain_only_peak_rss_mb: number;
  plan_objects_per_s: number;
  import_peak_rss_mb: number;
  runs: RunRecord[];
}

const perSecond = (count: number, ms: number): number => Math.round((count * 1000) / ms);
const round1 = (ms: number): number => Math.round(ms * 10) / 10;
const ratio = (value: number): number => Math.round(value * 1000) / 1000;

export function runRecord(run: number, raw: RawRun): RunRecord {
  const baseline = perSecond(raw.objects, raw.baselineMs);
  const imported = perSecond(raw.objects, raw.importMs);
  const record: RunRecord = {
    run,
    baseline_copy_ms: round1(raw.baselineMs),
    baseline_copy_objects_per_s: baseline,
    import_ms: round1(raw.importMs),
    import_objects_per_s: imported,
    import_vs_copy: ratio(raw.baselineMs / raw.importMs),
    import_peak_rss_mb: raw.importPeakRssMb,
    rerun_ms: round1(raw.rerunMs),
    hash_files_ms: round1(raw.hashFilesMs),
    rerun_vs_hash: ratio(raw.rerunMs / raw.hashFilesMs),
    verify_events: raw.verify.events,
    verify_ms: round1(raw.verify.ms),
    verify_events_per_s: perSecond(raw.verify.events, raw.verify.ms),
    verify_peak_rss_mb: raw.verify.peakRssMb,
    verify_chain_only_ms: round1(raw.verifyChainOnly.ms),
    verify_chain_only_events_per_s: perSecond(raw.verifyChainOnly.events, raw.verifyChainOnly.ms),
    verify_chain_only_peak_rss_mb: raw.verifyChainOnly.peakRssMb,
    plan_ms: round1(raw.planMs),
    plan_objects_per_s: perSecond(raw.objects, raw.planMs),
  };
  if (raw.chainVerify) {
    record.chain_verify_events = raw.chainVerify.events;
    record.chain_verify_ms = round1(raw.chainVerify.ms);
    record.chain_verify_events_per_s = perSecond(raw.chainVerify.events, raw.chainVerify.ms);
    record.chain_verify_peak_rss_mb = raw.chainVerify.peakRssMb;
  }
  if (raw.chainVerifyChainOnly) {
    const { events, ms, peakRssMb } = raw.chainVerifyChainOnly;
    record.chain_verify_chain_only_ms = round1(ms);
    record.chain_verify_chain_only_events_per_s = perSecond(events, ms);
    record.chain_verify_chain_only_peak_rss_mb = peakRssMb;
  }
  return record;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1
      ? (sorted[middle] as number)
      : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number };
}

type NumericKey = {
  [K in keyof RunRecord]-?: RunRecord[K] extends number | undefined ? K : never;
}[keyof RunRecord];

function spreadOf(runs: readonly RunRecord[], key: NumericKey): Spread | null {
  const values = runs.map((run) => run[key]).filter((value): value is number => typeof value === 'number');
  return values.length === 0 ? null : spread(values);
}

function median(runs: readonly RunRecord[], key: NumericKey, round: (value: number) => number): number {
  return round(spreadOf(runs, key)?.median ?? Number.NaN);
}

export function benchResult(objects: number, backend: Backend, runs: RunRecord[]): BenchResult {
  const chain = runs.some((run) => run.chain_verify_events !== undefined);
  return {
    objects,
    backend,
    baseline_copy_objects_per_s: median(runs, 'baseline_copy_objects_per_s', Math.round),
    import_objects_per_s: median(runs, 'import_objects_per_s', Math.round),
    import_vs_copy: median(runs, 'import_vs_copy', ratio),
    rerun_ms: median(runs, 'rerun_ms', round1),
    hash_files_ms: median(runs, 'hash_files_ms', round1),
    rerun_vs_hash: median(runs, 'rerun_vs_hash', ratio),
    verify_events_per_s: median(
      runs,
      chain ? 'chain_verify_events_per_s' : 'verify_events_per_s',
      Math.round,
    ),
    verify_peak_rss_mb: median(runs, chain ? 'chain_verify_peak_rss_mb' : 'verify_peak_rss_mb', Math.round),
    verify_chain_only_events_per_s: median(
      runs,
      chain ? 'chain_verify_chain_only_events_per_s' : 'verify_chain_only_events_per_s',
      Math.round,
    ),
    verify_chain_only_peak_rss_mb: median(
      runs,
      chain ? 'chain_verify_chain_only_peak_rss_mb' : 'verify_chain_only_peak_rss_mb',
      Math.round,
    ),
    plan_objects_per_s: median(runs, 'plan_objects_per_s', Math.round),
    import_peak_rss_mb: median(runs, 'import_peak_rss_mb', Math.round),
    runs,
  };
}

/** The rows of the results table: a label and the value of one run (absent: not measured). */
const TABLE_ROWS: readonly { label: string; value: (run: RunRecord) => number | undefined }[] = [
  { label: 'baseline COPY (objects/s)', value: (r) => r.baseline_copy_objects_per_s },
  { label: 'import, end to end (objects/s)', value: (r) => r.import_objects_per_s },
  { label: 'import_vs_copy', value: (r) => r.import_vs_copy },
  { label: 'baseline COPY (ms)', value: (r) => r.baseline_copy_ms },
  { label: 'import (ms)', value: (r) => r.import_ms },
  { label: 'plan: read + validate + plan, no DB (ms)', value: (r) => r.plan_ms },
  {
    label: 'import ÷ plan (1: the writing hidden behind planning)',
    value: (r) => ratio(r.import_ms / r.plan_ms),
  },
  { label: 'plan (objects/s)', value: (r) => r.plan_objects_per_s },
  { label: 'import peak RSS (MB)', value: (r) => r.import_peak_rss_mb },
  { label: 'rerun, a no-op (ms)', value: (r) => r.rerun_ms },
  { label: 'hash_files: read + SHA-256 every file (ms)', value: (r) => r.hash_files_ms },
  { label: 'rerun_vs_hash', value: (r) => r.rerun_vs_hash },
  { label: 'verify: events of the imported chain', value: (r) => r.verify_events },
  { label: 'verify (events/s)', value: (r) => r.verify_events_per_s },
  { label: 'verify peak RSS (MB)', value: (r) => r.verify_peak_rss_mb },
  { label: 'verify --chain-only (events/s)', value: (r) => r.verify_chain_only_events_per_s },
  { label: 'verify --chain-only peak RSS (MB)', value: (r) => r.verify_chain_only_peak_rss_mb },
  { label: 'verify --verify-events chain: events', value: (r) => r.chain_verify_events },
  { label: 'verify --verify-events chain (events/s)', value: (r) => r.chain_verify_events_per_s },
  { label: 'verify --verify-events chain, peak RSS (MB)', value: (r) => r.chain_verify_peak_rss_mb },
  {
    label: 'verify --chain-only, --verify-events chain (events/s)',
    value: (r) => r.chain_verify_chain_only_events_per_s,
  },
  {
    label: 'verify --chain-only, --verify-events chain, peak RSS (MB)',
    value: (r) => r.chain_verify_chain_only_peak_rss_mb,
  },
];

export interface TableLine {
  label: string;
  median: string;
  min: string;
  max: string;
}

function format(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 1000) / 1000);
}

export function tableLines(runs: readonly RunRecord[]): TableLine[] {
  const lines: TableLine[] = [];
  for (const row of TABLE_ROWS) {
    const measured = runs.map(row.value).filter((value): value is number => value !== undefined);
    if (measured.length === 0) continue;
    const values = spread(measured);
    lines.push({
      label: row.label,
      median: format(values.median),
      min: format(values.min),
      max: format(values.max),
    });
  }
  return lines;
}

export function textTable(result: BenchResult): string {
  const lines = tableLines(result.runs);
  const width = Math.max(...lines.map((line) => line.label.length), 6);
  const cell = (text: string) => text.padStart(11);
  const header = `${'metric'.padEnd(width)}${cell('median')}${cell('min')}${cell('max')}`;
  return [
    `chronicle bench: ${result.objects} objects, backend ${result.backend}, ${result.runs.length} run(s)`,
    header,
    ...lines.map(
      (line) => `${line.label.padEnd(width)}${cell(line.median)}${cell(line.min)}${cell(line.max)}`,
    ),
  ].join('\n');
}
