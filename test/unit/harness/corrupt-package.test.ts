import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { cp, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PackageRejectedError, UsageError } from '../../../src/errors.js';
import {
  corruptPackage,
  generatePackage,
  listScenarios,
  SCENARIO_NAMES,
} from '../../../src/harness/index.js';
import { planImport } from '../../../src/plan/plan-import.js';
import { LIGHTHOUSE_DIR, removeTempDirs, tempDir, treeHashes } from './support.js';

afterAll(removeTempDirs);

let generatedDir: string;

beforeAll(async () => {
  generatedDir = (
    await generatePackage({ objects: 300, seed: 2024, outDir: join(await tempDir(), 'generated') })
  ).dir;
});

async function rejection(dir: string, strict: boolean): Promise<PackageRejectedError> {
  try {
    await planImport(dir, { strict });
  } catch (error) {
    if (error instanceof PackageRejectedError) return error;
    throw error;
  }
  throw new Error(`${dir} planned without a rejection`);
}

describe('listScenarios', () => {
  it('lists the six scenarios with their documented rejection', () => {
    expect(listScenarios().map((s) => [s.name, s.expectedCode, s.expectedPhase])).toEqual([
      ['collision', 'entity.collision', 'entity'],
      ['missing-file', 'package.missing_file', 'manifest'],
      ['invalid-yaml', 'lore.parse', 'lore'],
      ['tamper', 'package.hash_mismatch', 'manifest'],
      ['dangling-edge', 'edge.dangling_reference', 'edge'],
      ['conflicting-tag', 'ontology.conflict', 'ontology'],
    ]);
    expect(listScenarios().map((s) => s.name)).toEqual([...SCENARIO_NAMES]);
    for (const scenario of listScenarios()) expect(scenario.description.length).toBeGreaterThan(20);
  });
});

describe('both sources plan cleanly before corruption', () => {
  it('lighthouse and the generated package are accepted, strict and not', async () => {
    for (const dir of [LIGHTHOUSE_DIR, generatedDir]) {
      for (const strict of [false, true]) await expect(planImport(dir, { strict })).resolves.toBeDefined();
    }
  });
});

for (const source of ['lighthouse', 'generated'] as const) {
  describe(`corruptPackage on the ${source} package`, () => {
    for (const scenario of listScenarios()) {
      it(`${scenario.name} makes planning reject with ${scenario.expectedCode}, strict and not`, async () => {
        const src = source === 'lighthouse' ? LIGHTHOUSE_DIR : generatedDir;
        const before = treeHashes(src);
        const out = join(await tempDir(), 'broken');
        const result = await corruptPackage(src, scenario.name, out);
        expect(result).toMatchObject({
          dir: out,
          scenario: scenario.name,
          expectedCode: scenario.expectedCode,
          expectedPhase: scenario.expectedPhase,
        });
        for (const strict of [false, true]) {
          const error = await rejection(out, strict);
          expect([error.phase, error.code]).toEqual([scenario.expectedPhase, scenario.expectedCode]);
          expect(error.message).toContain(result.file.split('#')[0]);
        }
        expect(treeHashes(src)).toEqual(before);
      });
    }
  });
}

describe('corruptPackage: what it changes', () => {
  it('breaks the package in exactly one place: the other files keep their bytes', async () => {
    const original = treeHashes(LIGHTHOUSE_DIR);
    const cases: [string, string[]][] = [
      ['collision', ['entities/cape-ember.collision.json', 'package.manifest.json']],
      ['missing-file', ['README.md']],
      ['invalid-yaml', ['lore/keepers/the-long-watch.md', 'package.manifest.json']],
      ['tamper', ['entities/cape-ember.json']],
      ['dangling-edge', ['edges/flight.json', 'package.manifest.json']],
      ['conflicting-tag', ['ontology/taxonomy.conflict.json', 'package.manifest.json']],
    ];
    for (const [scenario, touched] of cases) {
      const out = join(await tempDir(), 'broken');
      await corruptPackage(LIGHTHOUSE_DIR, scenario, out);
      const after = treeHashes(out);
      const changed = [...new Set([...original.keys(), ...after.keys()])]
        .filter((path) => original.get(path) !== after.get(path))
        .sort();
      expect(changed, scenario).toEqual(touched);
    }
  });

  it('is deterministic: the same package and scenario give the same bytes', async () => {
    for (const scenario of SCENARIO_NAMES) {
      const a = join(await tempDir(), 'a');
      const b = join(await tempDir(), 'b');
      await corruptPackage(generatedDir, scenario, a);
      await corruptPackage(generatedDir, scenario, b);
      expect([...treeHashes(b)], scenario).toEqual([...treeHashes(a)]);
    }
  });

  it("tamper: the rejection names the entity file, the entity's stable id and both hashes", async () => {
    const out = join(await tempDir(), 'broken');
    await corruptPackage(LIGHTHOUSE_DIR, 'tamper', out);
    const error = await rejection(out, true);
    expect(error.facts).toMatchObject({
      file: 'entities/cape-ember.json',
      stable_id: '01JD3K8Q6V2M4T9XWBZC5REPQC',
      expected_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      actual_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(error.facts.actual_hash).not.toBe(error.facts.expected_hash);
  });

  it('dangling-edge: the rejection names the edge record and the id no entity has', async () => {
    const out = join(await tempDir(), 'broken');
    await corruptPackage(LIGHTHOUSE_DIR, 'dangling-edge', out);
    const error = await rejection(out, true);
    expect(error.facts).toMatchObject({
      file: 'edges/flight.json#0',
      missing_refs: ['7ZZZZZZZZZZZZZZZZZZZZZZZZZ'],
    });
  });
});

describe('corruptPackage: refusals', () => {
  it('refuses an unknown scenario, naming the known ones', async () => {
    const out = join(await tempDir(), 'broken');
    await expect(corruptPackage(LIGHTHOUSE_DIR, 'flood', out)).rejects.toThrow(
      "unknown scenario 'flood'; known scenarios: collision, missing-file, invalid-yaml, tamper, dangling-edge, conflicting-tag",
    );
    expect(existsSync(out)).toBe(false);
  });

  it('refuses an output directory that is not empty, or inside the package', async () => {
    const root = await tempDir();
    await mkdir(join(root, 'full'));
    writeFileSync(join(root, 'full', 'keep.txt'), 'mine');
    await expect(corruptPackage(LIGHTHOUSE_DIR, 'tamper', join(root, 'full'))).rejects.toThrow(UsageError);
    expect(readdirSync(join(root, 'full'))).toEqual(['keep.txt']);
    const pkg = join(root, 'pkg');
    await cp(LIGHTHOUSE_DIR, pkg, { recursive: true });
    await expect(corruptPackage(pkg, 'tamper', join(pkg, 'broken'))).rejects.toThrow(/inside the package/);
  });

  it('refuses a directory without a manifest', async () => {
    const out = join(await tempDir(), 'broken');
    await expect(corruptPackage(await tempDir(), 'tamper', out)).rejects.toThrow(
      /is not a package directory/,
    );
  });

  it('refuses a scenario the package has nothing for, and leaves the output empty', async () => {
    const root = await tempDir();
    const pkg = join(root, 'pkg');
    await cp(LIGHTHOUSE_DIR, pkg, { recursive: true });
    await rm(join(pkg, 'lore'), { recursive: true });
    const out = join(root, 'broken');
    await expect(corruptPackage(pkg, 'invalid-yaml', out)).rejects.toThrow(
      'scenario invalid-yaml needs a lore file (lore/**/*.md) with front matter; the package has none',
    );
    expect(readdirSync(out)).toEqual([]);
  });
});
