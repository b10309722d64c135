/** The targets of issue 6, checked against a run's results (medians), saying plainly what was not measured. */
import type { BenchResult } from './report.js';

export type TargetStatus = 'met' | 'not met' | 'not measured';

export interface TargetCheck {
  target: string;
  backend: string;
  measured: string;
  status: TargetStatus;
}

const TARGET_OBJECTS = 200_000;
const TARGET_CHAIN = 1_000_000;

function check(target: string, backend: string, measured: string, ok: boolean | null): TargetCheck {
  return { target, backend, measured, status: ok === null ? 'not measured' : ok ? 'met' : 'not met' };
}

export function checkTargets(results: readonly BenchResult[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const pg = results.find((result) => result.backend === 'pg');
  const pglite = results.find((result) => result.backend === 'pglite');
  const fullSize = (result: BenchResult) => result.objects >= TARGET_OBJECTS;

  checks.push(
    pg
      ? check(
          `import_vs_copy ≥ 0.8 (${TARGET_OBJECTS} objects)`,
          'pg',
          fullSize(pg) ? String(pg.import_vs_copy) : `${pg.import_vs_copy} at ${pg.objects} objects`,
          fullSize(pg) ? pg.import_vs_copy >= 0.8 : null,
        )
      : check(`import_vs_copy ≥ 0.8 (${TARGET_OBJECTS} objects)`, 'pg', 'PostgreSQL not run', null),
  );
  for (const result of results) {
    checks.push(
      check('rerun_vs_hash ≤ 1.2', result.backend, String(result.rerun_vs_hash), result.rerun_vs_hash <= 1.2),
    );
  }
  for (const result of results) {
    const chain = Math.max(...result.runs.map((run) => run.chain_verify_events ?? run.verify_events));
    const measured = chain >= TARGET_CHAIN;
    checks.push(
      check(
        `verify ≥ 150000 events/s (${TARGET_CHAIN} events)`,
        result.backend,
        `${result.verify_events_per_s} events/s on ${chain} events`,
        measured ? result.verify_events_per_s >= 150_000 : null,
      ),
      check(
        `verify peak RSS ≤ 200 MB (${TARGET_CHAIN} events)`,
        result.backend,
        `${result.verify_peak_rss_mb} MB on ${chain} events`,
        measured ? result.verify_peak_rss_mb <= 200 : null,
      ),
      check(
        `verify --chain-only ≥ 150000 events/s (${TARGET_CHAIN} events)`,
        result.backend,
        `${result.verify_chain_only_events_per_s} events/s on ${chain} events`,
        measured ? result.verify_chain_only_events_per_s >= 150_000 : null,
      ),
      check(
        `verify --chain-only peak RSS ≤ 200 MB (${TARGET_CHAIN} events)`,
        result.backend,
        `${result.verify_chain_only_peak_rss_mb} MB on ${chain} events`,
        measured ? result.verify_chain_only_peak_rss_mb <= 200 : null,
      ),
    );
  }
  for (const result of results) {
    checks.push(
      check(
        `import peak RSS ≤ 400 MB (${TARGET_OBJECTS} objects)`,
        result.backend,
        `${result.import_peak_rss_mb} MB at ${result.objects} objects`,
        fullSize(result) ? result.import_peak_rss_mb <= 400 : null,
      ),
    );
  }
  checks.push(
    check(
      `the ${TARGET_OBJECTS}-object package imports on PGlite`,
      'pglite',
      pglite
        ? `${pglite.runs.length} of ${pglite.runs.length} run(s) committed at ${pglite.objects} objects`
        : 'PGlite not run',
      pglite && fullSize(pglite) ? true : null,
    ),
  );
  return checks;
}
