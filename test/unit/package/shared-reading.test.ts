/**
 * Reading a package on two threads: whoever claims a file reads and hashes it like FileReader; the importing
 * thread's reads cross to the planning thread packed folder by folder, and a FileReader that adopts them answers
 * exactly as if it had read every file itself.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src/canonical/index.js';
import { FileReader, ReadBlocks } from '../../../src/package/file-reader.js';
import { listPackage } from '../../../src/package/read-package.js';
import {
  readClaimed,
  readClaimedByFolder,
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
  it('splits the files between two readers; read into folder blocks they read back byte for byte', async () => {
    const { dir, contents } = await packageFiles();
    const listed = listPackage(dir, LENIENT);
    const share = shareReading(listed.rootReal, listed.discoveries);
    expect(share.paths).toHaveLength(contents.size);

    // the first reader claims chunk after chunk until none is left; a second one then finds nothing to claim
    const packed = readClaimedByFolder(share);
    expect(readClaimed(share).size).toBe(0);

    // each folder's files in blocks of its own, back to back
    expect(packed.map((folder) => folder.indexes.length)).toEqual([70, 3, 2]);
    expect(packed.map((folder) => folder.places.at(-1))).toEqual(
      [/^entities\//, /^edges\//, /^lore\//].map((folder) =>
        [...contents].reduce(
          (sum, [path, text]) => sum + (folder.test(path) ? Buffer.byteLength(text) : 0),
          0,
        ),
      ),
    );
    // as postMessage hands them over: cloned, each folder's blocks transferred
    const structured = structuredClone(packed, { transfer: packed.flatMap((folder) => folder.blocks) });
    const reader = new FileReader();
    for (const folder of structured) reader.adopt(unpack(share, folder));
    for (const [relative, text] of contents) {
      const read = reader.read(join(listed.rootReal, relative));
      expect(read).toEqual({ ok: true, bytes: Buffer.from(text), rawHash: sha256Hex(text) });
    }
  });

  it('puts a file bigger than a block in a block of its own, between files in blocks', () => {
    const blocks = new ReadBlocks(8);
    const small = blocks.place(Buffer.from('abc'));
    const big = blocks.place(Buffer.from('0123456789'));
    const after = blocks.place(Buffer.from('de'));
    expect([small, big, after]).toEqual([
      { block: 0, start: 0 },
      { block: 1, start: 0 },
      { block: 2, start: 0 },
    ]);
    expect(blocks.buffers.map((block) => block.length)).toEqual([8, 10, 8]);
    expect(blocks.buffers[1]?.toString()).toBe('0123456789');
  });

  it('hands over a file that could not be read as the same failure', async () => {
    const { dir } = await packageFiles();
    const listed = listPackage(dir, LENIENT);
    const share = shareReading(listed.rootReal, listed.discoveries);
    const gone = share.paths[3] as string;
    share.paths[3] = listed.rootReal; // a directory where a file was listed: read as a failure
    const [entities] = readClaimedByFolder(share);
    const adopted = new Map(unpack(share, entities as NonNullable<typeof entities>));
    expect(adopted.get(listed.rootReal)).toEqual({ ok: false, reason: 'is a directory' });
    expect(adopted.has(gone)).toBe(false);
    // the files around it as the other thread reads them
    share.paths[3] = gone;
    new Int32Array(share.next)[0] = 0;
    const reads = new Map(withPaths(share, readClaimed(share)));
    for (const index of [2, 4]) {
      const path = share.paths[index] as string;
      expect(adopted.get(path)).toEqual(reads.get(path));
    }
  });
});
