import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src/canonical/index.js';
import { readPackage } from '../../../src/package/read-package.js';
import { expectRejection, LENIENT, removeTempDirs, STRICT, tempDir, writePackage } from './support.js';

afterAll(removeTempDirs);

const paths = (files: readonly { path: string }[]): string[] => files.map((f) => f.path);

describe('readPackage: file discovery', () => {
  it('scans each phase folder recursively, hidden files included, suffix case-sensitive', async () => {
    const dir = await writePackage({
      files: {
        'entities/b.json': '{}',
        'entities/.hidden/a.json': '{}',
        'entities/deep/er/c.json': '{}',
        'entities/UPPER.JSON': '{}',
        'entities/notes.txt': 'x',
        'edges/e.json': '[]',
        'ontology/t.json': '{}',
        'lore/sub/x.md': '---',
        'lore/y.MD': '---',
        'README.md': '# not a phase file',
      },
    });
    const snapshot = await readPackage(dir, LENIENT);
    expect(paths(snapshot.entities)).toEqual([
      'entities/.hidden/a.json',
      'entities/b.json',
      'entities/deep/er/c.json',
    ]);
    expect(paths(snapshot.edges)).toEqual(['edges/e.json']);
    expect(paths(snapshot.ontology)).toEqual(['ontology/t.json']);
    expect(paths(snapshot.lore)).toEqual(['lore/sub/x.md']);
    expect(snapshot.entities[1]).toMatchObject({ rawHash: sha256Hex('{}') });
    expect(snapshot.entities[1]?.bytes.toString()).toBe('{}');
  });

  it('sorts by code point, not by UTF-16 unit (U+E000 before U+1F600)', async () => {
    const dir = await writePackage({
      files: { 'entities/\u{1F600}.json': '{}', 'entities/\uE000.json': '{}', 'entities/z.json': '{}' },
    });
    const snapshot = await readPackage(dir, LENIENT);
    expect(paths(snapshot.entities)).toEqual([
      'entities/z.json',
      'entities/\uE000.json',
      'entities/\u{1F600}.json',
    ]);
  });

  it('reads ontology/ and ignores ontologies/ when both exist; falls back to ontologies/', async () => {
    const both = await writePackage({ files: { 'ontology/a.json': '{}', 'ontologies/b.json': '{}' } });
    expect(paths((await readPackage(both, LENIENT)).ontology)).toEqual(['ontology/a.json']);
    const plural = await writePackage({ files: { 'ontologies/b.json': '{}' } });
    expect(paths((await readPackage(plural, LENIENT)).ontology)).toEqual(['ontologies/b.json']);
  });

  it('imports unlisted files in the default mode and fingerprints them', async () => {
    const dir = await writePackage({ files: { 'entities/a.json': '{}' } });
    const snapshot = await readPackage(dir, LENIENT);
    expect(snapshot.fingerprints.map((f) => f.path)).toEqual(['entities/a.json', 'package.manifest.json']);
  });

  it('rejects unlisted files in strict mode, with the phase that owns the folder', async () => {
    const dir = await writePackage({
      files: { 'entities/a.json': '{}\n', 'edges/x.json': '[]\n', 'edges/y.json': '[]\n' },
      listed: ['entities/a.json'],
    });
    const error = await expectRejection(readPackage(dir, STRICT), 'edge', 'package.unlisted_file');
    expect(error.facts.problems).toEqual([
      { code: 'package.unlisted_file', file: 'edges/x.json' },
      { code: 'package.unlisted_file', file: 'edges/y.json' },
    ]);
  });

  it('reports a directory named x.json as a read error of the owning phase', async () => {
    const dir = await writePackage({ files: { 'edges/dir.json/inner.txt': 'x' } });
    const error = await expectRejection(readPackage(dir, LENIENT), 'edge', 'package.read_error');
    expect(error.facts.file).toBe('edges/dir.json');
  });

  it('rejects a discovered symbolic link that resolves outside the package', async () => {
    const root = await tempDir();
    await writeFile(join(root, 'outside.json'), '{}');
    const dir = await writePackage({ files: { 'entities/a.json': '{}' } }, root);
    await symlink(join(root, 'outside.json'), join(dir, 'entities/b.json'));
    const error = await expectRejection(readPackage(dir, LENIENT), 'entity', 'package.path_escape');
    expect(error.facts.file).toBe('entities/b.json');
    expect(error.message).not.toContain(root);
  });

  it('rejects a dangling discovered symbolic link as a read error', async () => {
    const dir = await writePackage({ files: { 'lore/a.md': '---' } });
    await symlink('missing.md', join(dir, 'lore/b.md'));
    await expectRejection(readPackage(dir, LENIENT), 'lore', 'package.read_error');
  });

  it('reports the first failing phase folder in phase order, whatever finishes first', async () => {
    const root = await tempDir();
    await writeFile(join(root, 'outside.json'), '{}');
    const dir = await writePackage({ files: { 'lore/dir.md/x': 'x' } }, root);
    await symlink(join(root, 'outside.json'), join(dir, 'ontology.json'));
    await writePackage({ files: { 'entities/a.json': '{}' } }, root);
    await symlink('../ontology.json', join(dir, 'entities/z.json'));
    await expectRejection(readPackage(dir, LENIENT), 'entity', 'package.path_escape');
  });

  it('reads a symbolic link to a file inside the package, but does not descend into linked folders', async () => {
    const dir = await writePackage({ files: { 'entities/a.json': '{"a":1}', 'shared/b.json': '{}' } });
    await symlink('a.json', join(dir, 'entities/alias.json'));
    await symlink('../shared', join(dir, 'entities/linked'));
    const snapshot = await readPackage(dir, LENIENT);
    expect(paths(snapshot.entities)).toEqual(['entities/a.json', 'entities/alias.json']);
    expect(snapshot.entities[1]?.bytes.toString()).toBe('{"a":1}');
  });

  it('handles a phase folder that is a file as an empty folder', async () => {
    const dir = await writePackage({ files: { entities: 'not a folder' } });
    expect((await readPackage(dir, LENIENT)).entities).toEqual([]);
  });

  it('reads many files (more than the concurrency limit) in sorted order', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 50; i += 1) files[`entities/e${String(i).padStart(2, '0')}.json`] = `{"i":${i}}`;
    const snapshot = await readPackage(await writePackage({ files }), LENIENT);
    expect(snapshot.entities).toHaveLength(50);
    expect(snapshot.entities[49]?.bytes.toString()).toBe('{"i":49}');
  });
});
