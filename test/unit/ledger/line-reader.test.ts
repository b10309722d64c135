/** Bundles and spilled digest runs are read line by line: every line whole, long ones too, and a stop heard. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLines } from '../../../src/ledger/line-reader.js';
import { removeTempDirs, tempDir } from '../../support/temp-dirs.js';

afterAll(removeTempDirs);

async function allLines(path: string, chunkBytes: number): Promise<{ text: string; number: number }[]> {
  const lines = [];
  for await (const batch of readLines(path, { chunkBytes })) lines.push(...batch);
  return lines;
}

describe('readLines', () => {
  it('gives every line whole and numbered, across chunk boundaries, a long line and a last line without LF', async () => {
    const long = `é${'x'.repeat(20_000)}ü`;
    const path = join(tempDir('lines'), 'file.ndjson');
    writeFileSync(path, `first\n${long}\n\nmiddle é\nlast`);
    for (const chunkBytes of [1, 7, 4096, 1 << 20]) {
      expect(await allLines(path, chunkBytes)).toEqual([
        { text: 'first', number: 1 },
        { text: long, number: 2 },
        { text: '', number: 3 },
        { text: 'middle é', number: 4 },
        { text: 'last', number: 5 },
      ]);
    }
  });

  it('stops at the next chunk once its signal is aborted, in the middle of a line with no end', async () => {
    const path = join(tempDir('lines'), 'endless.ndjson');
    writeFileSync(path, `{"kind":"header"}\n{"kind":"event","x":"${'a'.repeat(4 << 20)}`);
    const controller = new AbortController();
    const reason = new Error('stopped');
    let chunks = 0;
    const reading = (async () => {
      for await (const _ of readLines(path, {
        chunkBytes: 1 << 16,
        signal: controller.signal,
      })) {
        chunks += 1;
        controller.abort(reason); // after the header's chunk: the rest is one line
      }
    })();
    await expect(reading).rejects.toBe(reason);
    expect(chunks).toBe(1);
  });
});
