/**
 * `npm run bench`: generates a package, then measures, side by side and several times, the physical limit
 * (a replay of the import's own COPY data), the import, a rerun against hashing the files, verification and
 * planning. Prints a table (or `--json`: one object); `--doc` writes docs/benchmarks.md.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Backend } from '../src/db/database.js';
import { generatePackage } from '../src/harness/generate-package.js';
import { inChild } from './child.js';
import { type BenchDatabases, benchDatabases, type DbTarget } from './databases.js';
import { type BackendRun, benchmarksDoc } from './doc.js';
import { environment } from './environment.js';
import { hashFiles } from './hash-files.js';
import { type BenchOptions, BenchUsageError, parseOptions, USAGE } from './options.js';
import { repoRoot } from './paths.js';
import {
  benchResult,
  type RawRun,
  type RunRecord,
  runRecord,
  textTable,
  type VerifyFigures,
} from './report.js';
import type { TaskResult } from './tasks.js';

/**
 * An import holds its largest phase whole (1,000,000 objects: ~2.3 GB, within Node's default heap); a longer
 * --verify-events chain needs more: give that one process room.
 */
const CHAIN_HEAP_MB = 16_384;

const log = (line: string): void => {
  process.stderr.write(`bench: ${line}\n`);
};

const num = (result: TaskResult, key: string): number => {
  const value = result[key];
  if (typeof value !== 'number') throw new Error(`bench: measurement result has no number ${key}`);
  return value;
};

const verifyFigures = (result: TaskResult): VerifyFigures => ({
  events: num(result, 'verify_events'),
  ms: num(result, 'verify_ms'),
  peakRssMb: num(result, 'verify_peak_rss_mb'),
});

/** Tables whose rows an import and the replay of its log must share byte for byte. */
const COMPARED_TABLES = [
  'campaigns',
  'events',
  'entities',
  'edges',
  'tags',
  'affordances',
  'chunks',
  'import_log',
];

async function compareWithBaseline(baseline: DbTarget, imported: DbTarget): Promise<void> {
  const [left, right] = await Promise.all([
    inChild({ kind: 'digest', target: baseline }),
    inChild({ kind: 'digest', target: imported }),
  ]);
  const a = left.digests as Record<string, string>;
  const b = right.digests as Record<string, string>;
  const different = COMPARED_TABLES.filter((table) => a[table] !== b[table]);
  if (different.length > 0) {
    throw new Error(`bench: the baseline replay wrote other rows than the import (${different.join(', ')})`);
  }
}

interface Generated {
  dir: string;
  objects: number;
}

/**
 * The `--verify-events` chain: one campaign of at least `events` events, written by importing a generated
 * package of that many objects (generated packages cannot share a campaign: their tag ids would collide).
 */
async function buildChain(
  dbs: BenchDatabases,
  main: Generated,
  options: BenchOptions,
  events: number,
  work: string,
): Promise<{ target: DbTarget; events: number }> {
  let dir = main.dir;
  if (events > main.objects + 2) {
    dir = join(work, 'chain-package');
    log(`generating a package of ${events - 2} objects for --verify-events`);
    await generatePackage({ objects: events - 2, seed: options.seed + 1, outDir: dir });
  }
  const target = await dbs.create();
  log(`importing it (a chain of ≥ ${events} events)`);
  const built = await inChild({ kind: 'build-chain', target, dir }, { heapMb: CHAIN_HEAP_MB });
  return { target, events: num(built, 'events') };
}

async function benchBackend(
  backend: Backend,
  options: BenchOptions,
  main: Generated,
  work: string,
): Promise<BackendRun> {
  const dbs = await benchDatabases(backend, log);
  let chain: { target: DbTarget; events: number } | null = null;
  try {
    const server = await dbs.facts();
    const logDir = join(work, `statements-${backend}`);
    const recordTarget = await dbs.create();
    log(`${backend}: recording one import's statements and COPY data (the baseline's input; also a warm-up)`);
    await inChild({ kind: 'record', target: recordTarget, dir: main.dir, logDir });
    await dbs.drop(recordTarget);
    const chainEvents = options.verifyEvents[backend];
    if (chainEvents !== undefined) chain = await buildChain(dbs, main, options, chainEvents, work);

    const runs: RunRecord[] = [];
    for (let run = 1; run <= options.runs; run += 1) {
      log(`${backend}: run ${run}/${options.runs}: baseline COPY`);
      const baselineTarget = await dbs.create();
      const baseline = await inChild({ kind: 'baseline', target: baselineTarget, logDir });
      log(`${backend}: run ${run}/${options.runs}: import, rerun, hash_files`);
      const importTarget = await dbs.create();
      const imported = await inChild({ kind: 'import', target: importTarget, dir: main.dir });
      if (run === 1) {
        log(`${backend}: checking that the baseline wrote the same rows as the import`);
        await compareWithBaseline(baselineTarget, importTarget);
      }
      await dbs.drop(baselineTarget);
      log(`${backend}: run ${run}/${options.runs}: verify, verify --chain-only`);
      const verified = await inChild({ kind: 'verify', target: importTarget, scope: 'full' });
      const linksVerified = await inChild({ kind: 'verify', target: importTarget, scope: 'chain' });
      await dbs.drop(importTarget);
      const chainVerified = chain
        ? await inChild({ kind: 'verify', target: chain.target, scope: 'full' })
        : null;
      const chainLinksVerified = chain
        ? await inChild({ kind: 'verify', target: chain.target, scope: 'chain' })
        : null;
      log(`${backend}: run ${run}/${options.runs}: plan`);
      const planned = await inChild({ kind: 'plan', dir: main.dir });
      const raw: RawRun = {
        objects: num(imported, 'objects'),
        baselineMs: num(baseline, 'baseline_copy_ms'),
        importMs: num(imported, 'import_ms'),
        importPeakRssMb: num(imported, 'import_peak_rss_mb'),
        rerunMs: num(imported, 'rerun_ms'),
        hashFilesMs: num(imported, 'hash_files_ms'),
        verify: verifyFigures(verified),
        verifyChainOnly: verifyFigures(linksVerified),
        chainVerify: chainVerified ? verifyFigures(chainVerified) : null,
        chainVerifyChainOnly: chainLinksVerified ? verifyFigures(chainLinksVerified) : null,
        planMs: num(planned, 'plan_ms'),
      };
      runs.push(runRecord(run, raw));
    }
    const files = hashFiles(main.dir);
    return {
      result: benchResult(main.objects, backend, runs),
      server,
      packageFiles: files.files,
      packageBytes: files.bytes,
    };
  } finally {
    if (chain) await dbs.drop(chain.target);
    await dbs.close();
  }
}

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    process.stderr.write(`bench: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  const env = environment();
  const work = mkdtempSync(join(tmpdir(), 'chronicle-bench-'));
  try {
    log(`generating a package of ${options.objects} objects (seed ${options.seed})`);
    const generated = await generatePackage({
      objects: options.objects,
      seed: options.seed,
      outDir: join(work, 'package'),
    });
    const main: Generated = { dir: generated.dir, objects: generated.objects };
    const runs: BackendRun[] = [];
    for (const backend of options.backends) runs.push(await benchBackend(backend, options, main, work));

    for (const run of runs) {
      if (options.json) process.stdout.write(`${JSON.stringify(run.result)}\n`);
      else process.stdout.write(`${textTable(run.result)}\n\n`);
    }
    if (options.doc) {
      const path = join(repoRoot(), 'docs', 'benchmarks.md');
      writeFileSync(path, benchmarksDoc(options, env, runs, new Date().toISOString().slice(0, 10)));
      log(`wrote ${path}`);
    }
    return 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

process.exitCode = await main();
