/** Sealed payloads packed in blocks: the same bytes as Buffer.from, each in a view of its own. */
import { describe, expect, it } from 'vitest';
import { ByteArena } from '../../../src/plan/byte-arena.js';

const TEXTS = [
  '',
  '{"a":1}',
  'é'.repeat(5), // two bytes per unit
  '€€€', // three bytes per unit
  '😀x', // a surrogate pair: four bytes for two units
  'x'.repeat(16), // fills a block of 16 exactly
  'y'.repeat(3),
  'z'.repeat(5), // bigger than a quarter of the block: a buffer of its own
  '\u{10FFFF}é€a',
];

describe('ByteArena', () => {
  it('gives every text its UTF-8 bytes, and later texts never overwrite earlier ones', () => {
    const arena = new ByteArena(16);
    const copies = TEXTS.map((text) => arena.copyUtf8(text));
    copies.forEach((copy, index) => {
      expect(copy.equals(Buffer.from(TEXTS[index] as string, 'utf8'))).toBe(true);
    });
  });

  it('packs small texts back to back in one block', () => {
    const arena = new ByteArena(64);
    const [first, second] = [arena.copyUtf8('abc'), arena.copyUtf8('défg')];
    expect(second?.buffer).toBe(first?.buffer);
    expect(second?.byteOffset).toBe((first?.byteOffset as number) + 3);
    expect(first?.buffer.byteLength).toBe(64);
  });

  it('starts a new block when the text does not fit in what is left', () => {
    const arena = new ByteArena(8);
    const first = arena.copyUtf8('ab');
    const second = arena.copyUtf8('€€'); // 6 bytes: fits after 'ab' exactly
    const third = arena.copyUtf8('é'); // 2 bytes: no room left
    expect(second.buffer).toBe(first.buffer);
    expect(third.buffer).not.toBe(first.buffer);
    expect(Buffer.concat([first, second, third]).toString('utf8')).toBe('ab€€é');
  });
});
