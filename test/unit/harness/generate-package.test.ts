import { readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEMORY_DATA_DIR, openDatabase } from '../../../src/db/index.js';
import { UsageError } from '../../../src/errors.js';
import { type GeneratedPackage, generatePackage, MIN_OBJECTS } from '../../../src/harness/index.js';
import { importPackage } from '../../../src/importer/import-package.js';
import { planImport } from '../../../src/plan/plan-import.js';
import type { ImportPlan } from '../../../src/plan/types.js';
import { removeTempDirs, tempDir, treeHashes } from './support.js';

afterAll(removeTempDirs);

async function generate(objects: number, seed: number): Promise<GeneratedPackage> {
  return generatePackage({ objects, seed, outDir: join(await tempDir(), 'pkg') });
}

describe('generatePackage: determinism', () => {
  it('writes the same bytes, file for file, for the same seed and object count', async () => {
    const first = await generate(600, 11);
    const second = await generate(600, 11);
    const a = treeHashes(first.dir);
    const b = treeHashes(second.dir);
    expect(a.size).toBe(first.files);
    expect([...b]).toEqual([...a]);
    expect(second.packageId).toBe(first.packageId);
  });

  it('writes a different package for a different seed', async () => {
    const one = await generate(600, 11);
    const other = await generate(600, 12);
    expect(other.packageId).not.toBe(one.packageId);
    const a = treeHashes(one.dir);
    const b = treeHashes(other.dir);
    const sameBytes = [...b].filter(([path, hash]) => a.get(path) === hash).map(([path]) => path);
    expect(sameBytes).toEqual([]);
  });
});

describe('generatePackage: packages of different seeds', () => {
  it('import side by side into one campaign: no id of one collides with the other', async () => {
    const db = await openDatabase({ dataDir: MEMORY_DATA_DIR });
    try {
      const one = await generate(2000, 21);
      const other = await generate(2000, 22);
      const first = await importPackage(db, one.dir, { campaign: 'two-seeds' });
      const second = await importPackage(db, other.dir, { campaign: 'two-seeds' });
      expect([first.outcome, second.outcome, second.error?.code]).toEqual([
        'committed',
        'committed',
        undefined,
      ]);
      expect(second.objectsSkipped).toBe(0);
      expect(second.firstOrdinal).toBe((first.lastOrdinal ?? -2) + 1);
    } finally {
      await db.close();
    }
  });
});

describe('generatePackage: 2,000 objects plan as generated', () => {
  let generated: GeneratedPackage;
  let lenient: ImportPlan;
  let strict: ImportPlan;

  beforeAll(async () => {
    generated = await generate(2000, 42);
    lenient = await planImport(generated.dir, { strict: false });
    strict = await planImport(generated.dir, { strict: true });
  });

  it('plans with the expected counts, strict and not, and the counts add up to the objects asked for', () => {
    expect(lenient.counts).toEqual(generated.expectedCounts);
    expect(strict.counts).toEqual(generated.expectedCounts);
    const { entities, edges, tags, affordances, chunks } = generated.expectedCounts;
    expect(entities + edges + tags + affordances + chunks).toBe(2000);
    expect(generated.objects).toBe(2000);
    expect(strict.stateDigest).toBe(lenient.stateDigest);
    expect(strict.warnings).toEqual([]);
  });

  it('keeps realistic proportions: 25% entities, 50% edges, 5% ontology, 20% lore chunks', () => {
    expect(generated.expectedCounts).toEqual({
      entities: 500,
      edges: 1000,
      tags: 60,
      affordances: 40,
      chunks: 400,
    });
  });

  it('covers every entity kind and edge type, several ontology files and several chunks per lore file', () => {
    const kinds = (kind: string) =>
      new Set(strict.objects.filter((o) => o.kind === kind).map((o) => o.objectType));
    expect([...kinds('entity')].sort()).toEqual(['creature', 'item', 'location', 'npc', 'organization']);
    expect([...kinds('edge')].sort()).toEqual([
      'adjacent_to',
      'npc.resides_in.location',
      'organization.controls.location',
    ]);
    const ontologyFiles = new Set(
      strict.objects.filter((o) => o.kind === 'tag' || o.kind === 'affordance').map((o) => o.sourcePath),
    );
    expect(ontologyFiles.size).toBeGreaterThan(1);
    const chunksPerFile = new Map<string, number>();
    for (const chunk of strict.objects.filter((o) => o.kind === 'chunk')) {
      chunksPerFile.set(chunk.sourcePath, (chunksPerFile.get(chunk.sourcePath) ?? 0) + 1);
    }
    expect(Math.max(...chunksPerFile.values())).toBeGreaterThanOrEqual(5);
    expect(chunksPerFile.size).toBeLessThan(400 / 2 + 1);
  });

  it('lists every file it wrote in content_index with the hash of its raw bytes', () => {
    const manifest = JSON.parse(readFileSync(join(generated.dir, 'package.manifest.json'), 'utf8')) as {
      content_index: Record<string, string>;
    };
    const files = treeHashes(generated.dir);
    files.delete('package.manifest.json');
    expect(Object.entries(manifest.content_index)).toEqual([...files]);
    expect(files.size + 1).toBe(generated.files);
  });

  it('groups edges about 100 per array file', () => {
    const edgeFiles = new Set(
      strict.objects.filter((o) => o.kind === 'edge').map((o) => o.sourcePath.split('#')[0]),
    );
    expect(edgeFiles.size).toBe(10);
  });
});

describe('generatePackage: the smallest packages plan too', () => {
  for (const objects of [MIN_OBJECTS, 21, 37]) {
    it(`${objects} objects plan strictly with the expected counts`, async () => {
      const generated = await generate(objects, objects);
      const plan = await planImport(generated.dir, { strict: true });
      expect(plan.counts).toEqual(generated.expectedCounts);
      const { entities, edges, tags, affordances, chunks } = plan.counts;
      expect(entities + edges + tags + affordances + chunks).toBe(objects);
    });
  }
});

describe('generatePackage: refusals', () => {
  it('refuses too few objects and a seed outside 32 bits', async () => {
    const outDir = join(await tempDir(), 'pkg');
    await expect(generatePackage({ objects: MIN_OBJECTS - 1, seed: 1, outDir })).rejects.toThrow(UsageError);
    await expect(generatePackage({ objects: 100, seed: -1, outDir })).rejects.toThrow(
      /seed must be a whole number/,
    );
    await expect(generatePackage({ objects: 100, seed: 2 ** 32, outDir })).rejects.toThrow(UsageError);
    await expect(generatePackage({ objects: 100.5, seed: 1, outDir })).rejects.toThrow(
      /objects must be a whole number/,
    );
  });

  it('refuses an output directory that is not empty, and an output that is a file', async () => {
    const root = await tempDir();
    await mkdir(join(root, 'full'));
    writeFileSync(join(root, 'full', 'keep.txt'), 'mine');
    await expect(generatePackage({ objects: 100, seed: 1, outDir: join(root, 'full') })).rejects.toThrow(
      /exists and is not empty/,
    );
    expect(readFileSync(join(root, 'full', 'keep.txt'), 'utf8')).toBe('mine');
    writeFileSync(join(root, 'file'), 'x');
    await expect(generatePackage({ objects: 100, seed: 1, outDir: join(root, 'file') })).rejects.toThrow(
      UsageError,
    );
  });

  it('writes into an existing empty directory', async () => {
    const outDir = await tempDir();
    const generated = await generatePackage({ objects: 100, seed: 5, outDir });
    expect(treeHashes(outDir).size).toBe(generated.files);
  });
});
