/** The chunker's splitting and packing rules (NOTES §2.5), including the reference's quirks. */
import { describe, expect, it } from 'vitest';
import { codePointLength } from '../../../src/canonical/index.js';
import { lorePhase } from '../../../src/phases/lore.js';
import { chunkContents, MAX_CHUNK_CHARS } from '../../../src/phases/lore-chunker.js';
import { BASIC_FRONT_MATTER, LENIENT, loreFile, loreSnapshot } from './support.js';

describe('chunkContents: sections at headings', () => {
  it('keeps a body without headings as one stripped chunk', () => {
    expect(chunkContents('\n\n  First paragraph.\n\nSecond paragraph.\n\n')).toEqual([
      'First paragraph.\n\nSecond paragraph.',
    ]);
  });

  it('gives no chunk for an empty or blank body', () => {
    expect(chunkContents('')).toEqual([]);
    expect(chunkContents('\n \t\n\u3000\n')).toEqual([]);
  });

  it('starts a chunk at each ## to ###### heading; the preamble is a chunk of its own', () => {
    const body = 'Preamble.\n## Two\nA\n### Three\nB\n###### Six\nC\n';
    expect(chunkContents(body)).toEqual(['Preamble.', '## Two\nA', '### Three\nB', '###### Six\nC']);
  });

  it('does not split at a level-1 heading, at seven #, at ## without a space, or mid-line', () => {
    const body = '# One\nA\n####### Seven\nB\n##Tight\nC\ntext ## inline\nD';
    expect(chunkContents(body)).toEqual([body]);
  });

  it('splits at ## followed directly by a line break (Python \\s includes \\n)', () => {
    expect(chunkContents('Intro\n##\nAfter')).toEqual(['Intro', '##\nAfter']);
  });

  it('splits inside a code fence: fences are not understood', () => {
    expect(chunkContents('```\n## not a heading\n```')).toEqual(['```', '## not a heading\n```']);
  });

  it('does not start a line after U+2028 or U+2029 (Python MULTILINE only knows \\n)', () => {
    expect(chunkContents('Intro\u2028## Not a heading')).toEqual(['Intro\u2028## Not a heading']);
    expect(chunkContents('Intro\u2029## Not a heading')).toEqual(['Intro\u2029## Not a heading']);
  });

  it("uses Python's whitespace after the #: NBSP counts, U+FEFF does not", () => {
    expect(chunkContents('A\n##\u00a0B')).toEqual(['A', '##\u00a0B']);
    expect(chunkContents('A\n##\ufeffB')).toEqual(['A\n##\ufeffB']);
  });

  it("strips with Python's whitespace: \\x1c-\\x1f and \\x85 go, U+FEFF stays", () => {
    expect(chunkContents('\x1c\x85 text \x1f')).toEqual(['text']);
    expect(chunkContents('\ufefftext\ufeff')).toEqual(['\ufefftext\ufeff']);
  });
});

describe('chunkContents: the 8000 code point limit', () => {
  const paragraph = (letter: string, length: number): string => letter.repeat(length);

  it('keeps a section of exactly 8000 code points whole, counting an emoji as one', () => {
    expect(chunkContents(paragraph('a', MAX_CHUNK_CHARS))).toHaveLength(1);
    // 3999 + 2 + 3999 = 8000 code points, but 16000 UTF-16 units.
    const emoji = `${'😀'.repeat(3999)}\n\n${'😀'.repeat(3999)}`;
    expect(chunkContents(emoji)).toEqual([emoji]);
  });

  it('packs the paragraphs of a longer section greedily, joined by a blank line', () => {
    const [a, b, c] = [paragraph('a', 3000), paragraph('b', 2998), paragraph('c', 3000)];
    // a + b = 6000 with the separator; adding c would make 9002.
    expect(chunkContents(`${a}\n\n${b}\n\n${c}`)).toEqual([`${a}\n\n${b}`, c]);
  });

  it('packs up to exactly 8000 code points into one piece', () => {
    const [a, b, c] = [paragraph('a', 3999), paragraph('b', 3999), paragraph('c', 10)];
    expect(chunkContents(`${a}\n\n${b}\n\n${c}`)).toEqual([`${a}\n\n${b}`, c]);
  });

  it('splits a paragraph over 8000 by sentences, with the reference double dot ("A.. B")', () => {
    const [a, b, c] = [paragraph('a', 5000), paragraph('b', 5000), paragraph('c', 10)];
    expect(chunkContents(`${a}. ${b}. ${c}`)).toEqual([`${a}.`, `${b}.. ${c}`]);
  });

  it('lets the paragraph after a sentence-split one join its last piece', () => {
    const [a, b, tail] = [paragraph('a', 5000), paragraph('b', 5000), 'Tail paragraph.'];
    expect(chunkContents(`${a}. ${b}\n\n${tail}`)).toEqual([`${a}.`, `${b}\n\n${tail}`]);
  });

  it('keeps a single sentence longer than 8000 whole', () => {
    const long = paragraph('x', MAX_CHUNK_CHARS + 500);
    const [first, second] = chunkContents(`${paragraph('p', 100)}\n\n${long}`);
    expect(first).toBe(paragraph('p', 100));
    expect(second).toBe(long);
    expect(codePointLength(second ?? '')).toBe(MAX_CHUNK_CHARS + 500);
  });

  it('packs a section of many small paragraphs into pieces no longer than the limit', () => {
    const paragraphs = Array.from({ length: 500 }, (_, i) => `Paragraph ${i} ${'w'.repeat(50)}.`);
    const pieces = chunkContents(paragraphs.join('\n\n'));
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.every((piece) => codePointLength(piece) <= MAX_CHUNK_CHARS)).toBe(true);
    expect(pieces.join('\n\n')).toBe(paragraphs.join('\n\n'));
  });
});

describe('lorePhase: chunk ids and counts', () => {
  it('numbers chunks -000, -001, … and uses four digits past 999', () => {
    const body = Array.from({ length: 1001 }, (_, i) => `## Section ${i}\nText ${i}.`).join('\n');
    const chunks = lorePhase(loreSnapshot({ 'lore/many.md': loreFile(BASIC_FRONT_MATTER, body) }), LENIENT);
    expect(chunks).toHaveLength(1001);
    expect(chunks.slice(0, 2).map((c) => c.stableId)).toEqual(['TEST-CHUNK-000', 'TEST-CHUNK-001']);
    expect(chunks.slice(-2).map((c) => c.stableId)).toEqual(['TEST-CHUNK-999', 'TEST-CHUNK-1000']);
    expect(chunks.at(-1)?.payload.chunk_index).toBe(1000);
  });

  it("counts words with Python's split: runs of Unicode whitespace, NBSP included", () => {
    const [chunk] = lorePhase(
      loreSnapshot({
        'lore/w.md': loreFile(BASIC_FRONT_MATTER, 'one\u00a0two\u3000three \x1cfour\ufefffive'),
      }),
      LENIENT,
    );
    expect(chunk?.payload.word_count).toBe(4);
  });
});
