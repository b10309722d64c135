import { createHash } from 'node:crypto';
import { appendFile, mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src/canonical/index.js';
import { generatePackage } from '../../../src/harness/index.js';
import { PARALLEL_HASH_MIN_FILES, startHashing } from '../../../src/package/parallel-hasher.js';
import { quickFingerprints, quickPackageId } from '../../../src/package/quick-fingerprints.js';
import { fingerprintPackage, listPackage, openPackage } from '../../../src/package/read-package.js';
import { LENIENT, removeTempDirs, tempDir, writePackage } from './support.js';

afterAll(removeTempDirs);

const NPC = '{"stable_id": "01JJV9SM460MAAJTAXJ9T8KSA1", "kind": "npc", "name": "Maren"}\n';

describe('startHashing: SHA-256 of many files on two threads', () => {
  for (const count of [3, PARALLEL_HASH_MIN_FILES + 300]) {
    it(`hashes ${count} files as sha256 does, and marks what is not a regular file`, async () => {
      const dir = await tempDir();
      const paths: string[] = [];
      const expected: (string | undefined)[] = [];
      for (let index = 0; index < count; index += 1) {
        const path = join(dir, `f${index}`);
        const content = `file ${index}\n`.repeat(index % 7);
        await writeFile(path, content);
        paths.push(path);
        expected.push(sha256Hex(content));
      }
      const big = Buffer.alloc(700 * 1024, 7); // larger than one read
      const reads = Buffer.alloc(512 * 1024, 9); // exactly two reads: its end is seen by a third, empty one
      await writeFile(join(dir, 'big'), big);
      await writeFile(join(dir, 'reads'), reads);
      await mkdir(join(dir, 'folder'));
      await symlink(join(dir, 'f0'), join(dir, 'link'));
      paths.push(
        join(dir, 'big'),
        join(dir, 'reads'),
        join(dir, 'folder'),
        join(dir, 'link'),
        join(dir, 'missing'),
      );
      const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
      expected.push(sha256(big), sha256(reads), undefined, undefined, undefined);
      expect(await startHashing(paths).finish()).toEqual(expected);
    });
  }
});

describe('quickFingerprints: what a rerun compares, without parsing or checking', () => {
  const slowly = async (dir: string) =>
    (await fingerprintPackage(await openPackage(dir, LENIENT))).fingerprints;

  it('equals the checked fingerprints: listed files outside the phase folders and unlisted phase files included', async () => {
    const dir = await writePackage({
      files: { 'entities/npc.json': NPC, 'entities/extra.json': NPC, 'README.md': '# Readme\n' },
      listed: ['entities/npc.json', 'README.md'],
    });
    const look = await quickFingerprints(listPackage(dir, LENIENT));
    // the package its manifest names, from the same reading
    expect(look?.packageId).toBe((await openPackage(dir, LENIENT)).manifest.packageId);
    const quick = look?.fingerprints;
    expect(quick).toEqual(await slowly(dir));
    expect(quick?.map((f) => f.path)).toEqual([
      'README.md',
      'entities/extra.json',
      'entities/npc.json',
      'package.manifest.json',
    ]);
  });

  it('equals the checked fingerprints for a package big enough for the second thread, and sees a changed byte', async () => {
    const dir = join(await tempDir(), 'generated');
    await generatePackage({ objects: 4000, seed: 3, outDir: dir });
    const quick = (await quickFingerprints(listPackage(dir, LENIENT)))?.fingerprints;
    expect(quick?.length).toBeGreaterThan(PARALLEL_HASH_MIN_FILES);
    expect(quick).toEqual(await slowly(dir));

    const [first] = (await readdir(join(dir, 'edges'))).sort();
    await appendFile(join(dir, 'edges', first as string), ' ');
    const changed = (await quickFingerprints(listPackage(dir, LENIENT)))?.fingerprints;
    expect(changed?.find((f) => f.path === `edges/${first}`)?.rawHash).not.toBe(
      quick?.find((f) => f.path === `edges/${first}`)?.rawHash,
    );
  });

  it('gives up (null) on a link in a phase folder, a missing listed file or a manifest JSON.parse cannot read', async () => {
    const linked = await writePackage({ files: { 'entities/npc.json': NPC }, listed: ['entities/npc.json'] });
    await symlink(join(linked, 'entities/npc.json'), join(linked, 'entities/alias.json'));
    expect(await quickFingerprints(listPackage(linked, LENIENT))).toBeNull();

    const missing = await writePackage({ manifest: { content_index: { 'gone.md': sha256Hex('x') } } });
    expect(await quickFingerprints(listPackage(missing, LENIENT))).toBeNull();

    const nan = await writePackage({ manifest: '{"content_index": {}, "schema_version": NaN}' });
    expect(await quickFingerprints(listPackage(nan, LENIENT))).toBeNull();
  });
});

describe('quickPackageId: the package a manifest names, read the plain way', () => {
  it.each([
    [
      'a manifest',
      '{"package_id": "01JJV9SM460MAAJTAXJ9T8KSA1", "content_index": {}}',
      '01JJV9SM460MAAJTAXJ9T8KSA1',
    ],
    ['the last of duplicate keys', '{"package_id": "first", "package_id": "last"}', 'last'],
    ['an escaped id', '{"package_id": "caf\\u00e9"}', 'café'],
    ['an id that is not a string', '{"package_id": 7}', null],
    ['no id', '{"content_index": {}}', null],
    ['not JSON', '{"package_id": "x",', null],
    ['not an object', '"x"', null],
  ])('%s', async (_, manifest, expected) => {
    const dir = await writePackage({ manifest });
    expect(quickPackageId({ rootReal: dir })).toBe(expected);
  });

  it('is null without a manifest', async () => {
    expect(quickPackageId({ rootReal: await writePackage({ manifest: null }) })).toBeNull();
  });
});
