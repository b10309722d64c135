/** The lore phase around the chunker: file order, hashes, content_index re-check, collisions, record shape. */
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src/canonical/index.js';
import { lorePhase } from '../../../src/phases/lore.js';
import {
  BASIC_FRONT_MATTER,
  LENIENT,
  loreFile,
  loreSnapshot,
  MANIFEST_HASH,
  PACKAGE_ID,
  rejection,
} from './support.js';

const HINTED = `${BASIC_FRONT_MATTER}\n  - test:zzz\n  - test:aaa\nembedding_hint: focus:mood`;

describe('lorePhase: records', () => {
  it('builds one content_chunk record per chunk with provenance and the full payload', () => {
    const text = loreFile(HINTED, 'Intro words here.\n\n## Part\nMore  words.');
    const records = lorePhase(loreSnapshot({ 'lore/a.md': text }), LENIENT);
    expect(records).toHaveLength(2);
    const [first, second] = records;
    const fileHash = sha256Hex(text);
    expect(first).toMatchObject({
      kind: 'chunk',
      stableId: 'TEST-CHUNK-000',
      category: '',
      objectType: 'content_chunk',
      sourcePath: 'lore/a.md',
      fileHash,
    });
    expect(first?.payload).toEqual({
      chunk_id: 'TEST-CHUNK-000',
      title: 'A Test',
      audience: 'Player',
      tags: ['test:aaa', 'test:basic', 'test:zzz'],
      source_path: 'lore/a.md',
      content_hash: first?.contentHash,
      chunk_index: 0,
      word_count: 3,
      content: 'Intro words here.',
      embedding_hint: 'focus:mood',
      provenance: {
        package_id: PACKAGE_ID,
        manifest_hash: MANIFEST_HASH,
        source_path: 'lore/a.md',
        file_hash: fileHash,
      },
    });
    expect(second?.payload).toMatchObject({
      chunk_id: 'TEST-CHUNK-001',
      chunk_index: 1,
      content: '## Part\nMore  words.',
    });
    expect(second?.payload.word_count).toBe(4);
    expect(first?.contentHash).not.toBe(second?.contentHash);
  });

  it('leaves embedding_hint out of payload and hash when embeddings are off', () => {
    const files = { 'lore/a.md': loreFile(HINTED) };
    const [on] = lorePhase(loreSnapshot(files), { strict: false, embeddings: true });
    const [off] = lorePhase(loreSnapshot(files), { strict: false, embeddings: false });
    expect(off?.payload).not.toHaveProperty('embedding_hint');
    expect(off?.contentHash).not.toBe(on?.contentHash);
  });

  it('does not change the hash of a file without a hint when embeddings are switched', () => {
    const files = { 'lore/a.md': loreFile(BASIC_FRONT_MATTER) };
    const [on] = lorePhase(loreSnapshot(files), { strict: false, embeddings: true });
    const [off] = lorePhase(loreSnapshot(files), { strict: false, embeddings: false });
    expect(off?.contentHash).toBe(on?.contentHash);
  });

  it('hashes NFC text: an NFD file gives the same chunk as its NFC twin', () => {
    const nfc = loreFile(BASIC_FRONT_MATTER, 'Caf\u00e9 na\u00efve.');
    const [a] = lorePhase(loreSnapshot({ 'lore/a.md': nfc }), LENIENT);
    const [b] = lorePhase(loreSnapshot({ 'lore/a.md': nfc.normalize('NFD') }), LENIENT);
    expect(b?.contentHash).toBe(a?.contentHash);
    expect(b?.fileHash).toBe(sha256Hex(nfc));
  });

  it('reads files in code-point order of their path, whatever order the snapshot has', () => {
    const fm = (id: string) => BASIC_FRONT_MATTER.replace('TEST-CHUNK', id);
    const snapshot = loreSnapshot({
      'lore/\u{1F600}.md': loreFile(fm('EMOJI')),
      'lore/b.md': loreFile(fm('BEE')),
      'lore/\ue000.md': loreFile(fm('PRIVATE')),
      'lore/a/z.md': loreFile(fm('ALPHA')),
    });
    const ids = lorePhase(snapshot, LENIENT).map((r) => r.stableId);
    // U+E000 sorts before U+1F600 by code point (UTF-16 order would put the emoji first).
    expect(ids).toEqual(['ALPHA-000', 'BEE-000', 'PRIVATE-000', 'EMOJI-000']);
  });

  it('gives no records for files whose body is empty', () => {
    expect(lorePhase(loreSnapshot({ 'lore/e.md': `---\n${BASIC_FRONT_MATTER}\n---\n` }), LENIENT)).toEqual(
      [],
    );
  });
});

describe('lorePhase: content_index re-check on the normalised text', () => {
  const crlf = loreFile(BASIC_FRONT_MATTER, 'Line one.\n\nLine two.\n').replaceAll('\n', '\r\n');

  it('refuses a listed CRLF file whose index hash is that of the raw bytes (lore.hash_mismatch)', () => {
    const raw = sha256Hex(Buffer.from(crlf));
    const normalised = sha256Hex(crlf.replaceAll('\r\n', '\n'));
    const error = rejection(
      () => lorePhase(loreSnapshot({ 'lore/c.md': crlf }, { 'lore/c.md': raw }), LENIENT),
      'lore.hash_mismatch',
    );
    expect(error.facts).toEqual({
      file: 'lore/c.md',
      stable_id: 'TEST-CHUNK-000',
      stable_ids: ['TEST-CHUNK-000'],
      expected_hash: raw,
      actual_hash: normalised,
    });
    expect(error.message).toContain(raw);
    expect(error.message).toContain(normalised);
    expect(error.message).toMatch(/; it defines TEST-CHUNK-000$/);
  });

  it('accepts the same file when it is not listed, or listed with its normalised hash', () => {
    const normalised = sha256Hex(crlf.replaceAll('\r\n', '\n'));
    expect(lorePhase(loreSnapshot({ 'lore/c.md': crlf }), LENIENT)).toHaveLength(1);
    expect(lorePhase(loreSnapshot({ 'lore/c.md': crlf }, { 'lore/c.md': normalised }), LENIENT)).toHaveLength(
      1,
    );
  });

  it('checks a listed file even when it has no chunks (the reference only checked per chunk)', () => {
    const empty = `---\r\n${BASIC_FRONT_MATTER}\r\n---\r\n`;
    rejection(
      () =>
        lorePhase(
          loreSnapshot({ 'lore/e.md': empty }, { 'lore/e.md': sha256Hex(Buffer.from(empty)) }),
          LENIENT,
        ),
      'lore.hash_mismatch',
    );
  });

  it('reports a front-matter problem of the same file before its hash mismatch', () => {
    const bad = loreFile('title: no id').replaceAll('\n', '\r\n');
    rejection(
      () =>
        lorePhase(loreSnapshot({ 'lore/c.md': bad }, { 'lore/c.md': sha256Hex(Buffer.from(bad)) }), LENIENT),
      'lore.front_matter',
    );
  });
});

describe('lorePhase: chunk id collisions', () => {
  const bells = (body: string) =>
    loreFile('chunk_id: BELLS\ntitle: Bells\naudience: Player\ntags: [sound:bells]', body);

  it('refuses one chunk id with different content, naming both files and both hashes', () => {
    const snapshot = loreSnapshot({
      'lore/b.md': bells('Rings three times.'),
      'lore/a.md': bells('Rings twice.'),
    });
    const [a] = lorePhase(loreSnapshot({ 'lore/a.md': bells('Rings twice.') }), LENIENT);
    const [b] = lorePhase(loreSnapshot({ 'lore/b.md': bells('Rings three times.') }), LENIENT);
    const error = rejection(() => lorePhase(snapshot, LENIENT), 'lore.collision');
    expect(error.facts).toEqual({
      stable_id: 'BELLS-000',
      file: 'lore/b.md',
      actual_hash: b?.contentHash,
      existing_file: 'lore/a.md',
      existing_hash: a?.contentHash,
    });
    for (const part of [
      'BELLS-000',
      'lore/a.md',
      'lore/b.md',
      a?.contentHash ?? '-',
      b?.contentHash ?? '-',
    ]) {
      expect(error.message).toContain(part);
    }
  });

  it('keeps one chunk when two files give identical chunks (the path is not hashed)', () => {
    const snapshot = loreSnapshot({ 'lore/a.md': bells('Same.'), 'lore/b.md': bells('Same.') });
    const records = lorePhase(snapshot, LENIENT);
    expect(records.map((r) => [r.stableId, r.sourcePath])).toEqual([['BELLS-000', 'lore/a.md']]);
  });

  it('compares ids with their suffix: BELLS-001 of one file does not collide with BELLS-000 of another', () => {
    const snapshot = loreSnapshot({
      'lore/a.md': bells('One.'),
      'lore/b.md': bells('Preamble.\n## Two\nText.'),
    });
    expect(() => lorePhase(snapshot, LENIENT)).toThrow(/BELLS-000/);
    const distinct = loreSnapshot({
      'lore/a.md': bells('Preamble.'),
      'lore/b.md': bells('Preamble.\n## Two\nText.'),
    });
    expect(lorePhase(distinct, LENIENT).map((r) => `${r.sourcePath}:${r.stableId}`)).toEqual([
      'lore/a.md:BELLS-000',
      'lore/b.md:BELLS-001',
    ]);
  });

  it('reads every file before looking for collisions: a later invalid file is reported first', () => {
    const snapshot = loreSnapshot({
      'lore/a.md': bells('Rings twice.'),
      'lore/b.md': bells('Rings three times.'),
      'lore/c.md': '# no front matter',
    });
    rejection(() => lorePhase(snapshot, LENIENT), 'lore.front_matter');
  });
});
