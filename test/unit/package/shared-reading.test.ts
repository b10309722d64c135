/**
 * Reading a package on two threads: whoever claims a file reads and hashes it like FileReader; the importing
 * thread's reads cross to the planning thread packed folder by folder, and a FileReader that adopts them answers
 * exactly as if it had read every file itself.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src/canonical/index.js';
import { FileReader } from '../../../src/package/file-reader.js';
import { listPackage } from '../../../src/package/read-package.js';
import {
  packByFolder,
  readClaimed,
  shareReading,
  unpack,
  withPaths,
} from '../../../src/package/shared-reading.js';
import { LENIENT, removeTempDirs, tempDir } from './support.js';

afterAll(removeTempDirs);

/** 70 entity files (more than one chunk of 64), 3 edge files, 2 lore files, one of them empty. */
async function packageFiles(): Promise<{ dir: string; contents: Map<string, string> }> {
  const dir = await tempDir();
  const contents = new Map<string, string>();
  for (let i = 0; i < 70; i++) contents.set(`entities/e${String(i).padStart(3, '0')}.json`, `{"n": ${i}}\n`);
  for (let i = 0; i < 3; i++) contents.set(`edges/x${i}.json`, `[${'{"edge": true},'.repeat(i)}{}]\n`);
  contents.set('lore/a.md', '---\ntitle: A\n---\nText é.\n');
  contents.set('lore/empty.md', '');
  for (const folder of ['entities', 'edges', 'lore']) await mkdir(join(dir, folder), { recursive: true });
  for (const [relative, text] of contents) await writeFile(join(dir, relative), text);
  await writeFile(join(dir, 'package.manifest.json'), '{}');
  return { dir, contents };
}

describe('shared reading', () => {
  it('splits the files between two readers; packed folder by folder they read back byte for byte', async () => {
    const { dir, contents } = await packageFiles();
    const listed = listPackage(dir, LENIENT);
    const share = shareReading(listed.rootReal, listed.discoveries);
    expect(share.paths).toHaveLength(contents.size);

    // the first reader claims chunk after chunk until none is left; a second one then finds nothing to claim
    const first = readClaimed(share);
    const second = readClaimed(share);
    expect([first.size, second.size]).toEqual([contents.size, 0]);

    const packed = packByFolder(share, first);
    // one buffer per folder, holding that folder's bytes only
    expect(packed.map((folder) => folder.paths.length)).toEqual([70, 3, 2]);
    expect(packed.map((folder) => folder.bytes.byteLength)).toEqual(
      [/^entities\//, /^edges\//, /^lore\//].map((folder) =>
        [...contents].reduce(
          (sum, [path, text]) => sum + (folder.test(path) ? Buffer.byteLength(text) : 0),
          0,
        ),
      ),
    );
    // as postMessage hands them over: cloned, each folder's buffer transferred
    const structured = structuredClone(packed, { transfer: packed.map((folder) => folder.bytes) });
    const reader = new FileReader();
    for (const folder of structured) reader.adopt(unpack(folder));
    for (const [relative, text] of contents) {
      const read = reader.read(join(listed.rootReal, relative));
      expect(read).toEqual({ ok: true, bytes: Buffer.from(text), rawHash: sha256Hex(text) });
    }
  });

  it('hands over a file that could not be read as the same failure', async () => {
    const { dir } = await packageFiles();
    const listed = listPackage(dir, LENIENT);
    const share = shareReading(listed.rootReal, listed.discoveries);
    const gone = share.paths[3] as string;
    share.paths[3] = listed.rootReal; // a directory where a file was listed: read as a failure
    const reads = readClaimed(share);
    const [entities] = packByFolder(share, reads);
    const adopted = new Map(unpack(entities as NonNullable<typeof entities>));
    expect(adopted.get(listed.rootReal)).toEqual({ ok: false, reason: 'is a directory' });
    expect(adopted.has(gone)).toBe(false);
    expect(new Map(withPaths(share, reads)).get(share.paths[4] as string)).toEqual(
      adopted.get(share.paths[4] as string),
    );
  });
});
