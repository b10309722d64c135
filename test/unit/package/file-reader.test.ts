/**
 * FileReader reads a file whole even when it holds more than fstat said (a file that grew while it was read), and
 * when the kernel hands it over in short reads: no read may overwrite bytes an earlier read returned. A file as
 * big as fstat said is read whole whatever its size (around the sizes of its reads).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src/canonical/index.js';
import { FileReader, ReadBlocks, readRegularFile } from '../../../src/package/file-reader.js';
import { removeTempDirs, tempDir } from './support.js';

afterAll(removeTempDirs);

describe('FileReader, files as big as fstat says', () => {
  it.each([0, 1, 1023, 65535, 65536, 65537, 200_000])('reads a file of %i bytes whole', async (size) => {
    const path = join(await tempDir(), 'file');
    const bytes = Buffer.alloc(size);
    for (let index = 0; index < size; index += 1) bytes[index] = (index * 31) % 251;
    writeFileSync(path, bytes);
    const read = new FileReader().read(path);
    expect(read.ok && read.bytes.equals(bytes)).toBe(true);
    expect(read).toMatchObject({ ok: true, rawHash: sha256Hex(bytes) });
  });

  it('reads files back to back into blocks, a file bigger than the room left into the next block', async () => {
    const dir = await tempDir();
    const contents = ['first', '', 'x'.repeat(20), 'last'];
    const blocks = new ReadBlocks(16);
    const reads = contents.map((text, index) => {
      writeFileSync(join(dir, `f${index}`), text);
      const read = readRegularFile(join(dir, `f${index}`), blocks);
      return read.ok ? blocks.place(read.bytes) : read;
    });
    expect(reads).toEqual([
      { block: 0, start: 0 },
      { block: 0, start: 5 },
      { block: 1, start: 0 },
      { block: 2, start: 0 },
    ]);
    expect(blocks.buffers.map((block) => block.length)).toEqual([16, 21, 16]);
    expect(blocks.buffers[1]?.subarray(0, 20).toString()).toBe(contents[2]);
  });
});

/** Regular files whose fstat size (0) is below what they hold; the first also comes in short (~4 KB) reads. */
const GROWN_IN_SHORT_READS = '/proc/kallsyms';
const GROWN = '/proc/version';

/** Where this system has the file and lets this user read it. */
function readable(path: string): boolean {
  try {
    return readFileSync(path).length > 1;
  } catch {
    return false;
  }
}

const GROWN_FILES = [GROWN, GROWN_IN_SHORT_READS].filter(readable);
if (GROWN_FILES.length === 0)
  console.warn('[skip] no readable /proc/version or /proc/kallsyms: FileReader growth test');

describe.runIf(GROWN_FILES.length > 0)('FileReader', () => {
  it.each(GROWN_FILES)('reads %s on past the size fstat gave, keeping every byte read before', (path) => {
    const expected = readFileSync(path);
    const read = new FileReader().read(path);
    expect(read.ok && read.bytes.equals(expected)).toBe(true);
    expect(read).toMatchObject({ ok: true, rawHash: sha256Hex(expected) });
  });

  it.each(GROWN_FILES)('reads %s whole into blocks too, and places it after the bytes before it', (path) => {
    const expected = readFileSync(path);
    const blocks = new ReadBlocks(1 << 20);
    blocks.place(Buffer.from('before'));
    const read = readRegularFile(path, blocks);
    expect(read.ok && read.bytes.equals(expected)).toBe(true);
    const { block, start } = blocks.place((read as { bytes: Buffer }).bytes);
    expect(block).toBe(expected.length + 6 > 1 << 20 ? 1 : 0);
    const placed = blocks.buffers[block]?.subarray(start, start + expected.length);
    expect(placed?.equals(expected)).toBe(true);
    expect(blocks.buffers[0]?.subarray(0, 6).toString()).toBe('before');
  });
});
