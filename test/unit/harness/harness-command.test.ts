import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { registerHarness } from '../../../src/cli/commands/harness.js';
import { UsageError } from '../../../src/errors.js';
import { planImport } from '../../../src/plan/plan-import.js';
import { runCli } from '../../support/cli.js';
import { LIGHTHOUSE_DIR, removeTempDirs, tempDir, treeHashes } from './support.js';

afterAll(removeTempDirs);

interface Run {
  exit: number | undefined;
  stdout: string;
  json: Record<string, unknown>;
}

/** Runs `chronicle harness …` with only the harness command registered (main.ts maps errors to exit codes). */
async function harness(args: readonly string[]): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  stdout.on('data', (d) => {
    out += d;
  });
  let exit: number | undefined;
  const program = new Command('chronicle')
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {} });
  registerHarness(program, { stdout, stderr }, (code) => {
    exit = code;
  });
  await program.parseAsync(['node', 'chronicle', 'harness', ...args]);
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(out) as Record<string, unknown>;
  } catch {
    // human output
  }
  return { exit, stdout: out, json };
}

describe('chronicle harness list', () => {
  it('prints the scenarios with their expected rejection, as JSON and as text', async () => {
    const run = await harness(['list', '--json']);
    expect(run.exit).toBe(0);
    const scenarios = run.json.scenarios as Record<string, string>[];
    expect(scenarios.map((s) => s.name)).toEqual([
      'collision',
      'missing-file',
      'invalid-yaml',
      'tamper',
      'dangling-edge',
      'conflicting-tag',
    ]);
    expect(scenarios[3]).toMatchObject({
      expected_code: 'package.hash_mismatch',
      expected_phase: 'manifest',
    });
    const text = await harness(['list']);
    expect(text.stdout).toContain('dangling-edge    edge.dangling_reference (edge): ');
  });
});

describe('chronicle harness generate and corrupt', () => {
  it('generates a package that plans with the printed counts, then corrupts it as announced', async () => {
    const root = await tempDir();
    const generated = await harness([
      'generate',
      '--objects',
      '120',
      '--seed',
      '9',
      '--out',
      join(root, 'pkg'),
      '--json',
    ]);
    expect(generated.exit).toBe(0);
    expect(generated.json).toMatchObject({ outcome: 'generated', dir: join(root, 'pkg'), objects: 120 });
    const plan = await planImport(join(root, 'pkg'), { strict: true });
    expect(plan.counts).toEqual(generated.json.counts);
    expect(plan.packageId).toBe(generated.json.package_id);
    expect(treeHashes(join(root, 'pkg')).size).toBe(generated.json.files);

    const corrupted = await harness([
      'corrupt',
      join(root, 'pkg'),
      '--scenario',
      'collision',
      '--out',
      join(root, 'bad'),
      '--json',
    ]);
    expect(corrupted.json).toMatchObject({
      outcome: 'corrupted',
      scenario: 'collision',
      expected_code: 'entity.collision',
      expected_phase: 'entity',
    });
    await expect(planImport(join(root, 'bad'))).rejects.toMatchObject({ code: 'entity.collision' });
  });

  it('prints a human summary without --json', async () => {
    const out = join(await tempDir(), 'bad');
    const run = await harness(['corrupt', LIGHTHOUSE_DIR, '--scenario', 'tamper', '--out', out]);
    expect(run.exit).toBe(0);
    expect(run.stdout).toContain('expect         [package.hash_mismatch] in phase manifest');
    expect(run.stdout).toContain('entities/cape-ember.json: one byte appended');
  });

  it('throws UsageError (exit 2) for an unknown scenario, a non-empty output or a bad number', async () => {
    const root = await tempDir();
    await expect(
      harness(['corrupt', LIGHTHOUSE_DIR, '--scenario', 'nope', '--out', join(root, 'x')]),
    ).rejects.toThrow(UsageError);
    await expect(
      harness(['corrupt', LIGHTHOUSE_DIR, '--scenario', 'tamper', '--out', LIGHTHOUSE_DIR]),
    ).rejects.toThrow(UsageError);
    await expect(
      harness(['generate', '--objects', 'many', '--seed', '1', '--out', join(root, 'y')]),
    ).rejects.toThrow("--objects must be a whole number from 20 to 5000000, not 'many'");
    // Out of range: the same words and the same flag as not a number.
    await expect(
      harness(['generate', '--objects', '19', '--seed', '1', '--out', join(root, 'y')]),
    ).rejects.toMatchObject({
      message: "--objects must be a whole number from 20 to 5000000, not '19'",
      facts: { option: '--objects' },
    });
    await expect(
      harness(['generate', '--objects', '100', '--seed', '-3', '--out', join(root, 'y')]),
    ).rejects.toThrow(UsageError);
  });
});

describe('chronicle harness through the real program', () => {
  it('exits 0 on success and 2 with a JSON error for a usage error', async () => {
    const listed = await runCli(['harness', 'list', '--json']);
    expect(listed.code).toBe(0);
    expect((listed.json.scenarios as unknown[]).length).toBe(6);
    const out = join(await tempDir(), 'x');
    const refused = await runCli([
      'harness',
      'corrupt',
      LIGHTHOUSE_DIR,
      '--scenario',
      'nope',
      '--out',
      out,
      '--json',
    ]);
    expect(refused.code).toBe(2);
    expect(refused.json).toMatchObject({ outcome: 'error', error: { code: 'usage.invalid' } });
  });
});
