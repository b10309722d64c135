/**
 * `chronicle harness corrupt` and what it writes where: the source is never modified (not through a link, not
 * through a path content_index lists), nothing is written outside --out, and the copy is the user's to edit.
 */
import {
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { chmod, cp, mkdir, rename, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SCENARIO_NAMES } from '../../../src/harness/index.js';
import { planImport } from '../../../src/plan/plan-import.js';
import { runCli } from '../../support/cli.js';
import { LIGHTHOUSE_DIR, removeTempDirs, tempDir, treeHashes } from './support.js';

afterAll(removeTempDirs);

const corrupt = (pkg: string, scenario: string, out: string) =>
  runCli(['harness', 'corrupt', pkg, '--scenario', scenario, '--out', out, '--json']);

async function rejectionOf(dir: string): Promise<unknown> {
  try {
    await planImport(dir, { strict: true });
  } catch (error) {
    return error;
  }
  throw new Error(`${dir} planned without a rejection`);
}

/** A copy of lighthouse at `<root>/pkg` whose entity cape-ember and lore folder are absolute links into shared/. */
async function linkedPackage(root: string): Promise<string> {
  const pkg = join(root, 'pkg');
  await cp(LIGHTHOUSE_DIR, pkg, { recursive: true });
  await mkdir(join(pkg, 'shared'));
  await rename(join(pkg, 'entities/cape-ember.json'), join(pkg, 'shared/cape-ember.json'));
  await symlink(join(pkg, 'shared/cape-ember.json'), join(pkg, 'entities/cape-ember.json'));
  await rename(join(pkg, 'lore'), join(pkg, 'shared/lore'));
  await symlink(join(pkg, 'shared/lore'), join(pkg, 'lore'));
  return pkg;
}

/** Every folder and file below `dir`, links not followed. */
function entries(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).map((e) => join(e.parentPath, e.name));
}

describe('harness corrupt: a package with symbolic links', () => {
  it('plans like the package without links', async () => {
    const pkg = await linkedPackage(await tempDir());
    const [linked, plain] = [await planImport(pkg), await planImport(LIGHTHOUSE_DIR)];
    expect(linked.stateDigest).toBe(plain.stateDigest);
  });

  for (const scenario of SCENARIO_NAMES) {
    it(`${scenario}: the source keeps its bytes and links; the copy is rejected as announced`, async () => {
      const root = await tempDir();
      const pkg = await linkedPackage(root);
      const before = treeHashes(pkg);
      const out = join(root, 'out');

      const run = await corrupt(pkg, scenario, out);

      expect(run.code).toBe(0);
      expect(treeHashes(pkg)).toEqual(before);
      expect(readlinkSync(join(pkg, 'entities/cape-ember.json'))).toBe(join(pkg, 'shared/cape-ember.json'));
      expect(readlinkSync(join(pkg, 'lore'))).toBe(join(pkg, 'shared/lore'));
      expect(await rejectionOf(out)).toMatchObject({
        code: run.json.expected_code,
        phase: run.json.expected_phase,
      });
    });
  }

  it("re-aims a link into the package at the copy's own file, and replaces a linked file it changes", async () => {
    const root = await tempDir();
    const pkg = await linkedPackage(root);
    const out = join(root, 'out');

    await corrupt(pkg, 'tamper', out);

    expect(readlinkSync(join(out, 'lore'))).toBe('shared/lore');
    expect(lstatSync(join(out, 'entities/cape-ember.json')).isFile()).toBe(true);
    expect(readFileSync(join(out, 'entities/cape-ember.json'), 'utf8')).toBe(
      `${readFileSync(join(pkg, 'shared/cape-ember.json'), 'utf8')}\n`,
    );
    expect(readFileSync(join(out, 'shared/cape-ember.json'))).toEqual(
      readFileSync(join(pkg, 'shared/cape-ember.json')),
    );
  });

  it('refuses a path content_index lists outside the package, and leaves what is there alone', async () => {
    const root = await tempDir();
    const pkg = join(root, 'pkg');
    await cp(LIGHTHOUSE_DIR, pkg, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(pkg, 'package.manifest.json'), 'utf8'));
    manifest.content_index = { '../victim.txt': '0'.repeat(64), ...manifest.content_index };
    writeFileSync(join(pkg, 'package.manifest.json'), JSON.stringify(manifest));
    // `../victim.txt` from the copy at <root>/out.
    writeFileSync(join(root, 'victim.txt'), 'mine');
    const out = join(root, 'out');

    const run = await corrupt(pkg, 'missing-file', out);

    expect(run.code).toBe(2);
    expect(run.json.error).toMatchObject({
      code: 'usage.invalid',
      message: '../victim.txt: resolves outside the package; start from a valid package',
    });
    expect(readFileSync(join(root, 'victim.txt'), 'utf8')).toBe('mine');
    expect(readdirSync(out)).toEqual([]);
  });
});

describe('harness corrupt: a read-only package', () => {
  it('gives a copy its owner can edit and delete, the source unchanged', async () => {
    const root = await tempDir();
    const pkg = join(root, 'pkg');
    await cp(LIGHTHOUSE_DIR, pkg, { recursive: true });
    const before = treeHashes(pkg);
    const inside = entries(pkg);
    for (const path of inside) await chmod(path, statSync(path).isDirectory() ? 0o555 : 0o444);
    await chmod(pkg, 0o555);
    const out = join(root, 'out');
    try {
      const run = await corrupt(pkg, 'tamper', out);

      // Run as root, the scenario succeeds whatever the modes; the copy's modes show the difference.
      expect(run).toMatchObject({ code: 0, json: { expected_code: 'package.hash_mismatch' } });
      for (const path of entries(out)) {
        const want = statSync(path).isDirectory() ? 0o700 : 0o600;
        expect(statSync(path).mode & want, path).toBe(want);
      }
      expect(await rejectionOf(out)).toMatchObject({ code: 'package.hash_mismatch' });
      expect(treeHashes(pkg)).toEqual(before);
      expect(statSync(join(pkg, 'entities/wren.json')).mode & 0o777).toBe(0o444);
    } finally {
      for (const path of [pkg, ...inside]) await chmod(path, 0o755);
    }
    expect(existsSync(out)).toBe(true);
  });
});

describe('harness corrupt: where --out may be', () => {
  it('refuses an output inside the package reached through a link, and creates nothing', async () => {
    const root = await tempDir();
    const pkg = join(root, 'pkg');
    await cp(LIGHTHOUSE_DIR, pkg, { recursive: true });
    await symlink(pkg, join(root, 'alias'));
    await symlink(join(pkg, 'entities'), join(root, 'entities-alias'));
    const before = treeHashes(pkg);
    const listed = readdirSync(pkg, { recursive: true }).sort();

    // `entities-alias/../inner` is pkg/inner: `..` applies to where the link leads.
    for (const out of [join(root, 'alias/inner'), `${join(root, 'entities-alias')}/../inner`]) {
      const run = await corrupt(pkg, 'tamper', out);

      expect(run.code, out).toBe(2);
      expect(run.json.error).toMatchObject({
        code: 'usage.invalid',
        message: `output ${out} is inside the package ${pkg}; choose a directory outside it`,
      });
    }
    expect(readdirSync(pkg, { recursive: true }).sort()).toEqual(listed);
    expect(treeHashes(pkg)).toEqual(before);
  });

  it('names the parent that is a file when --out cannot be created below it', async () => {
    const root = await tempDir();
    writeFileSync(join(root, 'notes'), 'mine');

    const below = await corrupt(LIGHTHOUSE_DIR, 'tamper', join(root, 'notes/sub/deeper'));
    const itself = await corrupt(LIGHTHOUSE_DIR, 'tamper', join(root, 'notes'));

    expect(below.code).toBe(2);
    expect(below.json.error).toMatchObject({
      code: 'usage.invalid',
      message: `output ${join(root, 'notes/sub/deeper')} cannot be created: ${join(root, 'notes')} is not a directory`,
    });
    expect(itself.json.error).toMatchObject({
      message: `output ${join(root, 'notes')} exists and is not a directory`,
    });
    expect(readFileSync(join(root, 'notes'), 'utf8')).toBe('mine');
  });
});

describe('harness corrupt: a folder listed in content_index', () => {
  it('is a usage error for the scenarios that pick a listed file, and leaves the output empty', async () => {
    const root = await tempDir();
    const pkg = join(root, 'pkg');
    await cp(LIGHTHOUSE_DIR, pkg, { recursive: true });
    // `Attic` is listed first of all; `entities/0-attic.json` first of the entity files (tamper's choice).
    await mkdir(join(pkg, 'Attic'));
    await mkdir(join(pkg, 'entities/0-attic.json'));
    const manifest = JSON.parse(readFileSync(join(pkg, 'package.manifest.json'), 'utf8'));
    const zero = '0'.repeat(64);
    manifest.content_index = { Attic: zero, 'entities/0-attic.json': zero, ...manifest.content_index };
    writeFileSync(join(pkg, 'package.manifest.json'), JSON.stringify(manifest));

    for (const [scenario, folder] of [
      ['missing-file', 'Attic'],
      ['tamper', 'entities/0-attic.json'],
    ] as const) {
      const out = join(root, scenario);
      const run = await corrupt(pkg, scenario, out);

      expect(run.code, scenario).toBe(2);
      expect(run.json.error).toEqual({
        code: 'usage.invalid',
        message: `${folder}: listed in content_index but is a folder; start from a valid package`,
        file: folder,
      });
      expect(readdirSync(out)).toEqual([]);
    }
    expect(existsSync(join(pkg, 'Attic'))).toBe(true);
  });
});
