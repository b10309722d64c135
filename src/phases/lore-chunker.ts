/**
 * Splits a lore body into chunk contents exactly as the reference's chunker (NOTES §2.5):
 * sections at `^#{2,6}\s+` headings (Python MULTILINE and Unicode `\s`), then sections longer than
 * MAX_CHUNK_CHARS code points packed by paragraphs, and paragraphs still too long packed by sentences, with the
 * reference's joining quirk kept (a sentence gets "." and is then joined with ". ", so "A. B" packs as "A.. B").
 */
import { codePointLength, PY_SPACE_CLASS, pyStrip } from '../canonical/index.js';

/** 2000 tokens of about 4 characters, counted in code points. */
export const MAX_CHUNK_CHARS = 8000;

/**
 * A heading: two to six `#` and at least one Python whitespace character, at the start of the body or just
 * after `\n`. (JavaScript's `m` flag would also start a line after U+2028/U+2029; Python's does not.)
 */
const HEADING = new RegExp(`(?<![^\\n])#{2,6}${PY_SPACE_CLASS}+`, 'gu');

/** The contents of the body's chunks, in order: stripped and never blank. */
export function chunkContents(body: string): string[] {
  const contents: string[] = [];
  for (const section of splitAtHeadings(body)) {
    for (const piece of packSection(section)) {
      const content = pyStrip(piece);
      if (content !== '') contents.push(content);
    }
  }
  return contents;
}

/** The preamble, then one section per heading (starting with its heading line); stripped, blanks dropped. */
function splitAtHeadings(body: string): string[] {
  const sections: string[] = [];
  let last = 0;
  for (const match of body.matchAll(HEADING)) {
    if (match.index > last) {
      sections.push(pyStrip(body.slice(last, match.index)));
      last = match.index;
    }
  }
  if (last < body.length) sections.push(pyStrip(body.slice(last)));
  return sections.filter((section) => section !== '');
}

/** Greedy packing of paragraphs (split on "\n\n") into pieces of at most MAX_CHUNK_CHARS. */
function packSection(section: string): string[] {
  if (codePointLength(section) <= MAX_CHUNK_CHARS) return [section];
  const pieces: string[] = [];
  let current = '';
  let currentLength = 0;
  for (const paragraph of section.split('\n\n')) {
    const length = codePointLength(paragraph);
    const joinedLength = current === '' ? length : currentLength + 2 + length;
    if (joinedLength <= MAX_CHUNK_CHARS) {
      current = current === '' ? paragraph : `${current}\n\n${paragraph}`;
      currentLength = joinedLength;
      continue;
    }
    if (current !== '') pieces.push(current);
    if (length <= MAX_CHUNK_CHARS) {
      current = paragraph;
      currentLength = length;
    } else {
      current = packSentences(paragraph, pieces);
      currentLength = codePointLength(current);
    }
  }
  if (current !== '') pieces.push(current);
  return pieces;
}

/**
 * Packs a too-long paragraph by sentences (split on ". "): full pieces go to `pieces`, the unfinished last one
 * is returned so that the following paragraphs can join it. A single sentence longer than the limit stays whole.
 */
function packSentences(paragraph: string, pieces: string[]): string {
  const sentences = paragraph.split('. ');
  let current = '';
  let currentLength = 0;
  sentences.forEach((sentence, index) => {
    const dot = index < sentences.length - 1 ? '.' : '';
    const length = codePointLength(sentence) + dot.length;
    const joinedLength = current === '' ? length : currentLength + 2 + length;
    if (joinedLength <= MAX_CHUNK_CHARS) {
      current = current === '' ? sentence + dot : `${current}. ${sentence}${dot}`;
      currentLength = joinedLength;
    } else {
      if (current !== '') pieces.push(current);
      current = sentence + dot;
      currentLength = length;
    }
  });
  return current;
}
