/**
 * `npm run bench` as CI runs it, small: it must run to the end and print one JSON object with every field
 * of issue 6, each one sane. No timing is asserted (the figures depend on the machine).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OBJECTS = 2000;
const RUNS = 2;

const FIELDS = [
  'objects',
  'backend',
  'baseline_copy_objects_per_s',
  'import_objects_per_s',
  'import_vs_copy',
  'rerun_ms',
  'hash_files_ms',
  'rerun_vs_hash',
  'verify_events_per_s',
  'verify_peak_rss_mb',
  'verify_chain_only_events_per_s',
  'verify_chain_only_peak_rss_mb',
  'plan_objects_per_s',
  'import_peak_rss_mb',
  'runs',
];

const RUN_NUMBERS = [
  'baseline_copy_ms',
  'baseline_copy_objects_per_s',
  'import_ms',
  'import_objects_per_s',
  'import_vs_copy',
  'import_peak_rss_mb',
  'rerun_ms',
  'hash_files_ms',
  'rerun_vs_hash',
  'verify_events',
  'verify_ms',
  'verify_events_per_s',
  'verify_peak_rss_mb',
  'verify_chain_only_ms',
  'verify_chain_only_events_per_s',
  'verify_chain_only_peak_rss_mb',
  'plan_ms',
  'plan_objects_per_s',
];

function bench(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'bench', '--', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const close = (actual: number, expected: number) => Math.abs(actual - expected) <= 0.002 + expected * 0.002;

/** A ratio rounded to 3 decimals, of two times each rounded to 0.1 ms, is within the rounding of a / b. */
function ratioOf(ratio: number, a: number, b: number): boolean {
  const low = (a - 0.05) / (b + 0.05);
  const high = (a + 0.05) / Math.max(b - 0.05, 1e-9);
  return ratio >= low - 0.0005 && ratio <= high + 0.0005;
}

const backends = process.env.DATABASE_URL ? (['pglite', 'pg'] as const) : (['pglite'] as const);

describe.each(backends)('npm run bench on %s', (backend) => {
  it(`--objects ${OBJECTS} --json prints every field, sane`, { timeout: 600_000 }, async () => {
    const run = await bench(
      ['--objects', String(OBJECTS), '--json', '--backend', backend, '--runs', String(RUNS)],
      {},
    );
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(Object.keys(result)).toEqual(FIELDS);
    expect(result.objects).toBe(OBJECTS);
    expect(result.backend).toBe(backend);
    for (const field of FIELDS.slice(2, -1)) {
      const value = result[field];
      expect(typeof value, field).toBe('number');
      expect(Number.isFinite(value) && (value as number) > 0, `${field} = ${value}`).toBe(true);
    }
    // Peak RSS is of a whole Node process: more than nothing, less than the machine.
    expect(result.import_peak_rss_mb).toBeGreaterThan(20);
    expect(result.import_peak_rss_mb).toBeLessThan(64 * 1024);

    const runs = result.runs as Record<string, number>[];
    expect(runs.map((r) => r.run)).toEqual([1, 2]);
    for (const r of runs) {
      for (const key of RUN_NUMBERS) {
        expect(Number.isFinite(r[key]) && (r[key] as number) > 0, `run ${r.run} ${key} = ${r[key]}`).toBe(
          true,
        );
      }
      // Every verification covered the whole imported chain: one event per object, plus manifest and completion.
      expect(r.verify_events).toBe(OBJECTS + 2);
      // Ratios pair the measurements of the same run.
      expect(ratioOf(r.import_vs_copy as number, r.baseline_copy_ms as number, r.import_ms as number)).toBe(
        true,
      );
      expect(ratioOf(r.rerun_vs_hash as number, r.rerun_ms as number, r.hash_files_ms as number)).toBe(true);
    }
    // The top-level figures are the medians of the runs (two runs: the mean of both).
    const mean = (key: string) => runs.reduce((sum, r) => sum + (r[key] as number), 0) / runs.length;
    expect(close(result.import_vs_copy as number, mean('import_vs_copy'))).toBe(true);
    expect(
      Math.abs((result.import_objects_per_s as number) - mean('import_objects_per_s')),
    ).toBeLessThanOrEqual(1);
  });
});
