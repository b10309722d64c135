/**
 * Every metric Chronicle exports, defined in this one module (Prometheus naming conventions).
 * Each `Metrics` owns its registry, so a test or a one-shot CLI run sees exactly its own counts.
 */
import { Counter, Histogram, Registry } from 'prom-client';

export const METRIC_NAMES = {
  importsTotal: 'chronicle_imports_total',
  importIdempotentTotal: 'chronicle_import_idempotent_total',
  importRollbackTotal: 'chronicle_import_rollback_total',
  eventsAppendedTotal: 'chronicle_events_appended_total',
  objectsSkippedTotal: 'chronicle_objects_skipped_total',
  importDurationSeconds: 'chronicle_import_duration_seconds',
  importPhaseDurationSeconds: 'chronicle_import_phase_duration_seconds',
  verifyFailuresTotal: 'chronicle_verify_failures_total',
} as const;

const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export class Metrics {
  readonly registry = new Registry();
  readonly importsTotal = new Counter({
    name: METRIC_NAMES.importsTotal,
    help: 'Import attempts by outcome (committed, noop, rolled_back, disabled).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly importIdempotentTotal = new Counter({
    name: METRIC_NAMES.importIdempotentTotal,
    help: 'Imports detected as an identical rerun (no-op).',
    registers: [this.registry],
  });
  readonly importRollbackTotal = new Counter({
    name: METRIC_NAMES.importRollbackTotal,
    help: 'Imports rolled back, by the phase that failed and the error code.',
    labelNames: ['phase', 'code'] as const,
    registers: [this.registry],
  });
  readonly eventsAppendedTotal = new Counter({
    name: METRIC_NAMES.eventsAppendedTotal,
    help: 'Ledger events appended by committed imports, by event type.',
    labelNames: ['event_type'] as const,
    registers: [this.registry],
  });
  readonly objectsSkippedTotal = new Counter({
    name: METRIC_NAMES.objectsSkippedTotal,
    help: 'Package objects already in the campaign with the same content (idempotent skips), by phase.',
    labelNames: ['phase'] as const,
    registers: [this.registry],
  });
  readonly importDurationSeconds = new Histogram({
    name: METRIC_NAMES.importDurationSeconds,
    help: 'Wall time of an import attempt, from reading the package to the outcome.',
    labelNames: ['outcome'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly importPhaseDurationSeconds = new Histogram({
    name: METRIC_NAMES.importPhaseDurationSeconds,
    help: 'Time spent writing each phase inside the import transaction.',
    labelNames: ['phase'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly verifyFailuresTotal = new Counter({
    name: METRIC_NAMES.verifyFailuresTotal,
    help: 'Verifications that found at least one problem.',
    registers: [this.registry],
  });

  /** The registry in Prometheus text exposition format; `labels` on every series, for this text only. */
  async text(labels: Readonly<Record<string, string>> = {}): Promise<string> {
    this.registry.setDefaultLabels(labels);
    try {
      return await this.registry.metrics();
    } finally {
      this.registry.setDefaultLabels({});
    }
  }
}
