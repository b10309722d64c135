import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src/canonical/index.js';
import { fingerprintPackage, openPackage, readPackage } from '../../../src/package/read-package.js';
import { expectRejection, LENIENT, removeTempDirs, STRICT, tempDir, writePackage } from './support.js';

afterAll(removeTempDirs);

const NPC =
  '{"stable_id": "01JJV9SM460MAAJTAXJ9T8KSA1", "kind": "npc", "name": "Maren", "tags": [], "affordances": []}\n';
const NPC_HASH = sha256Hex(NPC);

describe('readPackage: content_index verification on raw bytes', () => {
  it('accepts listed files whose raw bytes match, and fingerprints them', async () => {
    const dir = await writePackage({
      files: { 'entities/npc.json': NPC, 'README.md': '# Readme\r\n' },
      listed: ['entities/npc.json', 'README.md'],
    });
    const snapshot = await readPackage(dir, LENIENT);
    expect(snapshot.manifest.contentIndex.get('entities/npc.json')).toBe(NPC_HASH);
    expect(snapshot.fingerprints).toEqual([
      { path: 'README.md', rawHash: sha256Hex('# Readme\r\n') },
      { path: 'entities/npc.json', rawHash: NPC_HASH },
      { path: 'package.manifest.json', rawHash: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
  });

  it('names the file, the stable id it defines and both full hashes on a mismatch', async () => {
    const listed = sha256Hex('something else');
    const dir = await writePackage({
      files: { 'entities/npc.json': NPC },
      manifest: { content_index: { 'entities/npc.json': listed } },
    });
    const error = await expectRejection(readPackage(dir, LENIENT), 'manifest', 'package.hash_mismatch');
    expect(error.message).toBe(
      `entities/npc.json: content hash mismatch (content_index ${listed}, file ${NPC_HASH}); it defines 01JJV9SM460MAAJTAXJ9T8KSA1`,
    );
    expect(error.facts).toMatchObject({
      file: 'entities/npc.json',
      stable_id: '01JJV9SM460MAAJTAXJ9T8KSA1',
      stable_ids: ['01JJV9SM460MAAJTAXJ9T8KSA1'],
      expected_hash: listed,
      actual_hash: NPC_HASH,
    });
  });

  it("says so when a listed hash differs from the file's in letter case only (hashes are compared as written)", async () => {
    const dir = await writePackage({
      files: { 'entities/npc.json': NPC },
      manifest: { content_index: { 'entities/npc.json': NPC_HASH.toUpperCase() } },
    });
    const error = await expectRejection(readPackage(dir, LENIENT), 'manifest', 'package.hash_mismatch');
    expect(error.message).toBe(
      `entities/npc.json: content hash mismatch (content_index ${NPC_HASH.toUpperCase()}, file ${NPC_HASH}); the two differ only in letter case: content_index hashes are compared as written, write them in lower case; it defines 01JJV9SM460MAAJTAXJ9T8KSA1`,
    );
  });

  it('names every object of a mismatching file that defines several, and none of one that does not parse', async () => {
    const edges = JSON.stringify([
      { stable_id: 'edge-a', type: 'knows' },
      { stable_id: 'edge-b', type: 'knows' },
    ]);
    const dir = await writePackage({
      files: { 'edges/all.json': edges, 'entities/npc.json': '{"stable_id": "cut off' },
      manifest: {
        content_index: { 'edges/all.json': sha256Hex('x'), 'entities/npc.json': sha256Hex('x') },
      },
    });
    const error = await expectRejection(readPackage(dir, LENIENT), 'manifest', 'package.hash_mismatch');
    expect(error.message).toContain(`file ${sha256Hex(edges)}); it defines 2 objects: edge-a, edge-b;`);
    const [first, second] = error.facts.problems ?? [];
    expect(first).toMatchObject({ file: 'edges/all.json', stable_ids: ['edge-a', 'edge-b'] });
    expect(first).not.toHaveProperty('stable_id');
    expect(second).toEqual({
      code: 'package.hash_mismatch',
      file: 'entities/npc.json',
      expected_hash: sha256Hex('x'),
      actual_hash: sha256Hex('{"stable_id": "cut off'),
    });
  });

  it('compares hex case-sensitively, like the reference', async () => {
    const dir = await writePackage({
      files: { 'entities/npc.json': NPC },
      manifest: { content_index: { 'entities/npc.json': NPC_HASH.toUpperCase() } },
    });
    await expectRejection(readPackage(dir, LENIENT), 'manifest', 'package.hash_mismatch');
  });

  it('collects every problem in index order and reports the first one’s code', async () => {
    const root = await tempDir();
    await writeFile(join(root, 'secret.txt'), 'secret');
    const dir = await writePackage(
      {
        files: { 'entities/npc.json': NPC },
        manifest: {
          content_index: {
            'lore/epilogue.md': NPC_HASH,
            'entities/npc.json': sha256Hex('x'),
            '../secret.txt': sha256Hex('secret'),
            entities: NPC_HASH,
          },
        },
      },
      root,
    );
    const error = await expectRejection(readPackage(dir, LENIENT), 'manifest', 'package.missing_file');
    expect(error.facts.problems).toEqual([
      { code: 'package.missing_file', file: 'lore/epilogue.md', expected_hash: NPC_HASH },
      {
        code: 'package.hash_mismatch',
        file: 'entities/npc.json',
        stable_id: '01JJV9SM460MAAJTAXJ9T8KSA1',
        stable_ids: ['01JJV9SM460MAAJTAXJ9T8KSA1'],
        expected_hash: sha256Hex('x'),
        actual_hash: NPC_HASH,
      },
      { code: 'package.path_escape', file: '../secret.txt' },
      { code: 'package.read_error', file: 'entities' },
    ]);
    expect(error.message).toContain('3 more problems');
    expect(error.message).not.toContain(root);
  });

  it('rejects a listed path that leaves the package with ..', async () => {
    const root = await tempDir();
    await writeFile(join(root, 'secret.txt'), 'secret');
    const dir = await writePackage(
      { manifest: { content_index: { '../secret.txt': sha256Hex('secret') } } },
      root,
    );
    const error = await expectRejection(readPackage(dir, LENIENT), 'manifest', 'package.path_escape');
    expect(error.facts.file).toBe('../secret.txt');
  });

  it('accepts a path with .. that resolves back inside the package (as Python resolve does)', async () => {
    const dir = await writePackage({
      files: { 'entities/npc.json': NPC },
      manifest: { content_index: { 'lore/../entities/npc.json': NPC_HASH } },
    });
    await expect(readPackage(dir, LENIENT)).resolves.toBeDefined();
  });

  it('rejects a listed symbolic link that points outside the package, even a dangling one', async () => {
    const root = await tempDir();
    await writeFile(join(root, 'secret.txt'), 'secret');
    const dir = await writePackage({}, root);
    await mkdir(join(dir, 'notes'));
    await symlink(join(root, 'secret.txt'), join(dir, 'notes/link.txt'));
    await symlink('../../gone.txt', join(dir, 'notes/dangling.txt'));
    await writePackage(
      {
        manifest: {
          content_index: { 'notes/link.txt': sha256Hex('secret'), 'notes/dangling.txt': NPC_HASH },
        },
      },
      root,
    );
    const error = await expectRejection(readPackage(dir, LENIENT), 'manifest', 'package.path_escape');
    expect(error.facts.problems).toEqual([
      { code: 'package.path_escape', file: 'notes/link.txt' },
      { code: 'package.path_escape', file: 'notes/dangling.txt' },
    ]);
  });

  it('follows a symbolic link that stays inside the package', async () => {
    const dir = await writePackage({ files: { 'entities/npc.json': NPC } });
    await symlink('entities/npc.json', join(dir, 'alias.json'));
    await writePackage(
      { files: { 'entities/npc.json': NPC }, manifest: { content_index: { 'alias.json': NPC_HASH } } },
      join(dir, '..'),
    );
    await expect(readPackage(dir, LENIENT)).resolves.toBeDefined();
  });

  it('reports a listed directory as a read error', async () => {
    const dir = await writePackage({
      files: { 'entities/npc.json': NPC },
      manifest: { content_index: { entities: NPC_HASH } },
    });
    const error = await expectRejection(readPackage(dir, LENIENT), 'manifest', 'package.read_error');
    expect(error.message).toBe('entities: cannot be read (is a directory)');
  });

  it('reports an unreadable listed file as a read error', async (context) => {
    if (process.getuid?.() === 0) {
      context.skip('skipped: running as root, chmod 000 does not stop root from reading');
    }
    const dir = await writePackage({ files: { 'entities/npc.json': NPC }, listed: ['entities/npc.json'] });
    await chmod(join(dir, 'entities/npc.json'), 0o000);
    const error = await expectRejection(readPackage(dir, LENIENT), 'manifest', 'package.read_error');
    expect(error.message).toContain('permission denied');
  });

  it('in strict mode, requires listed files to be LF-only NFC UTF-8 text', async () => {
    const cases: [string, string | Buffer, string][] = [
      ['lore/crlf.md', 'a\r\nb\n', 'CR line endings'],
      ['lore/nfd.md', 'Cafe\u0301\n', 'NFC'],
      ['lore/latin1.md', Buffer.from([0x63, 0x61, 0x66, 0xe9]), 'UTF-8'],
    ];
    for (const [path, content, reason] of cases) {
      const dir = await writePackage({ files: { [path]: content }, listed: [path] });
      const error = await expectRejection(readPackage(dir, STRICT), 'manifest', 'package.not_normalized');
      expect(error.message).toContain(reason);
      await expect(readPackage(dir, LENIENT)).resolves.toBeDefined();
    }
  });
});

describe('fingerprintPackage: what a rerun compares, without keeping contents', () => {
  const fingerprintsOf = async (dir: string) => fingerprintPackage(await openPackage(dir, LENIENT));

  it('gives the fingerprints readPackage gives, unlisted phase files included, and no file contents', async () => {
    const dir = await writePackage({
      files: { 'entities/npc.json': NPC, 'entities/extra.json': NPC, 'README.md': '# Readme\n' },
      listed: ['entities/npc.json', 'README.md'],
    });
    const fingerprinted = await fingerprintsOf(dir);
    expect(fingerprinted.fingerprints).toEqual((await readPackage(dir, LENIENT)).fingerprints);
    expect(fingerprinted.fingerprints.map((f) => f.path)).toContain('entities/extra.json');
    expect(Object.keys(fingerprinted).sort()).toEqual(['fingerprints', 'manifest']);
  });

  it('rejects a tampered file exactly as readPackage does', async () => {
    const dir = await writePackage({
      files: { 'entities/npc.json': NPC },
      manifest: { content_index: { 'entities/npc.json': sha256Hex('something else') } },
    });
    const read = await expectRejection(readPackage(dir, LENIENT), 'manifest', 'package.hash_mismatch');
    const fingerprinted = await expectRejection(fingerprintsOf(dir), 'manifest', 'package.hash_mismatch');
    expect(fingerprinted.message).toBe(read.message);
    expect(fingerprinted.facts).toEqual(read.facts);
  });
});
