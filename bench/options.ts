/** Command-line options of `npm run bench` (and `npm run bench:doc`). */
import { parseArgs } from 'node:util';
import type { Backend } from '../src/db/database.js';

export interface BenchOptions {
  objects: number;
  backends: Backend[];
  runs: number;
  seed: number;
  json: boolean;
  /** Per backend: also verify a chain of at least this many events (built by importing generated packages). */
  verifyEvents: Partial<Record<Backend, number>>;
  /** Write docs/benchmarks.md from this run. */
  doc: boolean;
}

export const USAGE = `usage: npm run bench -- [--objects N] [--backend pg|pglite] [--runs R] [--seed S] [--json]
                          [--verify-events N] [--doc]
  --objects N          objects in the generated package (default 200000)
  --backend B          pg (a server: DATABASE_URL, else a throwaway one) or pglite (default pg;
                       with --doc: both)
  --runs R             measure everything R times, side by side (default 3)
  --seed S             generator seed (default 1)
  --json               print one JSON object on stdout (progress goes to stderr)
  --verify-events N    also build and verify a chain of at least N events (with --doc: 1000000 on pg)
  --doc                write docs/benchmarks.md from this run`;

export class BenchUsageError extends Error {}

function positiveInteger(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1)
    throw new BenchUsageError(`--${name} must be a whole number ≥ 1, got ${text}`);
  return value;
}

export function parseOptions(argv: readonly string[]): BenchOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        objects: { type: 'string' },
        backend: { type: 'string' },
        runs: { type: 'string' },
        seed: { type: 'string' },
        json: { type: 'boolean' },
        'verify-events': { type: 'string' },
        doc: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new BenchUsageError(error instanceof Error ? error.message : String(error));
  }
  const doc = values.doc === true;
  const backend = values.backend as string | undefined;
  if (backend !== undefined && backend !== 'pg' && backend !== 'pglite') {
    throw new BenchUsageError(`--backend must be pg or pglite, got ${backend}`);
  }
  const seed = Number(values.seed ?? '1');
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new BenchUsageError(`--seed must be a whole number, got ${values.seed}`);
  const backends: Backend[] = backend ? [backend] : doc ? ['pg', 'pglite'] : ['pg'];
  const verifyText = values['verify-events'] as string | undefined;
  const verifyEvents: Partial<Record<Backend, number>> = {};
  if (verifyText !== undefined) {
    const events = positiveInteger('verify-events', verifyText, 0);
    for (const each of backends) verifyEvents[each] = events;
  } else if (doc && backends.includes('pg')) {
    verifyEvents.pg = 1_000_000;
  }
  return {
    objects: positiveInteger('objects', values.objects as string | undefined, 200_000),
    backends,
    runs: positiveInteger('runs', values.runs as string | undefined, 3),
    seed,
    json: values.json === true,
    verifyEvents,
    doc,
  };
}
