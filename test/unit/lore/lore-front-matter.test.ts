/** Front matter: extraction, YAML 1.1 typing as PyYAML safe_load does it, the checks and the schema (NOTES §1.7). */
import { describe, expect, it } from 'vitest';
import { lorePhase } from '../../../src/phases/lore.js';
import type { PhaseRecord } from '../../../src/phases/types.js';
import { BASIC_FRONT_MATTER, LENIENT, loreFile, loreSnapshot, rejection, STRICT } from './support.js';

const FILE = 'lore/test.md';
const run = (text: string | Buffer, options = LENIENT): PhaseRecord[] =>
  lorePhase(loreSnapshot({ [FILE]: text }), options);
/** BASIC_FRONT_MATTER with one line replaced (by key) or added. */
const withLine = (key: string, line: string | null): string => {
  const lines = BASIC_FRONT_MATTER.split('\n');
  const at = lines.findIndex((l) => l.startsWith(`${key}:`));
  const end = key === 'tags' ? at + 2 : at + 1;
  if (at === -1) return [...lines, line].join('\n');
  return [...lines.slice(0, at), ...(line === null ? [] : [line]), ...lines.slice(end)].join('\n');
};
const frontMatterError = (frontMatter: string, field?: string) => {
  const error = rejection(() => run(loreFile(frontMatter)), 'lore.front_matter');
  expect(error.facts.file).toBe(FILE);
  expect(error.message).toContain(FILE);
  if (field !== undefined) {
    expect(error.facts.field).toBe(field);
    expect(error.message).toContain(field);
  }
  return error;
};

describe('front matter extraction', () => {
  it('accepts a file that starts with ---, a YAML block and a closing --- line', () => {
    const [chunk] = run(loreFile(BASIC_FRONT_MATTER, 'Body text.'));
    expect(chunk?.payload).toMatchObject({
      chunk_id: 'TEST-CHUNK-000',
      title: 'A Test',
      audience: 'Player',
      content: 'Body text.',
    });
  });

  it('refuses a file without front matter (lore.front_matter)', () => {
    const error = rejection(() => run('# Just markdown\n'), 'lore.front_matter');
    expect(error.message).toContain('missing YAML front matter');
  });

  it('refuses a byte order mark before the opening ---, and says it is there (it cannot be seen)', () => {
    const error = rejection(() => run(`\ufeff${loreFile(BASIC_FRONT_MATTER)}`), 'lore.front_matter');
    expect(error.message).toContain('starts with a UTF-8 byte order mark, U+FEFF: remove it');
    expect(rejection(() => run('# Just markdown\n'), 'lore.front_matter').message).not.toContain(
      'byte order mark',
    );
  });

  it('refuses a blank line before the opening ---, and a closing --- without a line break', () => {
    rejection(() => run(`\n${loreFile(BASIC_FRONT_MATTER)}`), 'lore.front_matter');
    rejection(() => run(`---\n${BASIC_FRONT_MATTER}\n---`), 'lore.front_matter');
  });

  it('does not match an empty block (---, ---); an empty YAML document is not a mapping', () => {
    expect(rejection(() => run('---\n---\nbody\n'), 'lore.front_matter').message).toContain('missing');
    expect(rejection(() => run('---\n\n---\nbody\n'), 'lore.front_matter').message).toContain('mapping');
  });

  it('ends the block at the first --- line; the body may contain more of them', () => {
    const [chunk] = run(loreFile(BASIC_FRONT_MATTER, 'Above\n---\nBelow'));
    expect(chunk?.payload.content).toBe('Above\n---\nBelow');
  });

  it('reads CRLF files after newline translation', () => {
    const [chunk] = run(loreFile(BASIC_FRONT_MATTER, 'Body.').replaceAll('\n', '\r\n'));
    expect(chunk?.payload.title).toBe('A Test');
  });

  it('refuses invalid UTF-8 as lore.parse, naming the byte offset', () => {
    const bytes = Buffer.concat([
      Buffer.from(loreFile(BASIC_FRONT_MATTER, 'ok ')),
      Buffer.from([0xff, 0x0a]),
    ]);
    const error = rejection(() => run(bytes), 'lore.parse');
    expect(error.facts).toMatchObject({ file: FILE, byte_offset: bytes.length - 2 });
  });
});

describe('YAML parsing', () => {
  it('reports invalid YAML as lore.parse with the line and column in the .md file', () => {
    const error = rejection(() => run(loreFile(`${BASIC_FRONT_MATTER}\nextra: [a, b`)), 'lore.parse');
    expect(error.message).toContain(FILE);
    expect(error.facts.file).toBe(FILE);
    expect(error.facts.line).toBeGreaterThanOrEqual(7);
    expect(error.facts.column).toBeGreaterThanOrEqual(1);
  });

  it.each([
    ['a flow list', 'tags: [a, b', 7],
    ['a flow mapping', 'tags: {a: b', 7],
    ['the inner of two flow lists', 'tags: [a, [b, c', 11],
  ])('points at the opening of %s never closed, not at the line after', (_, line, column) => {
    const error = rejection(() => run(loreFile(`chunk_id: A1\n${line}\naudience: Player`)), 'lore.parse');
    expect(error.facts).toMatchObject({ line: 3, column });
    expect(error.message).toContain(`line 3, column ${column}`);
  });

  it('points at the right line of the file', () => {
    const error = rejection(
      () => run(loreFile('chunk_id: A1\ntitle: @reserved\naudience: Player')),
      'lore.parse',
    );
    expect(error.facts).toMatchObject({ line: 3, column: 8 });
  });

  it('refuses an alias bomb instead of expanding it', () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
      'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
      'h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]',
      'tags: [*h,*h,*h,*h,*h,*h,*h,*h,*h]',
    ].join('\n');
    const error = rejection(
      () => run(loreFile(`chunk_id: BOMB\ntitle: t\naudience: Player\n${bomb}`)),
      'lore.parse',
    );
    expect(error.message).toMatch(/alias/i);
  });

  it('allows a few aliases, as PyYAML does', () => {
    const [chunk] = run(loreFile('chunk_id: &id AL-1\ntitle: *id\naudience: Player\ntags: []'));
    expect(chunk?.payload).toMatchObject({ chunk_id: 'AL-1-000', title: 'AL-1' });
  });

  it('refuses nesting too deep to load, without crashing', () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    rejection(() => run(loreFile(`${BASIC_FRONT_MATTER}\nextra: ${deep}`)), 'lore.parse');
  });

  it('refuses tags that PyYAML safe_load cannot construct', () => {
    rejection(() => run(loreFile(withLine('title', 'title: !custom A Test'))), 'lore.parse');
    rejection(() => run(loreFile(withLine('title', 'title: !!python/str A Test'))), 'lore.parse');
  });

  it('refuses a list or mapping as a key (PyYAML: unhashable key)', () => {
    rejection(() => run(loreFile(`${BASIC_FRONT_MATTER}\n? [a, b]\n: value`)), 'lore.parse');
  });

  it('refuses a date that does not exist (PyYAML raises on date(2024, 2, 30))', () => {
    rejection(() => run(loreFile(`${BASIC_FRONT_MATTER}\nwhen: 2024-02-30`)), 'lore.parse');
  });

  it('keeps the last of two equal keys, and refuses them under --strict (lore.duplicate_key)', () => {
    const text = loreFile(`${BASIC_FRONT_MATTER}\ntitle: Second Title`);
    expect(run(text)[0]?.payload.title).toBe('Second Title');
    const error = rejection(() => run(text, STRICT), 'lore.duplicate_key');
    expect(error.facts).toMatchObject({ file: FILE, field: 'title', line: 7 });
  });
});

describe('YAML 1.1 typing, as PyYAML reads it', () => {
  it('reads unquoted yes/no/on/off as booleans: not a valid title', () => {
    for (const word of ['yes', 'No', 'ON', 'off', 'true']) {
      const error = frontMatterError(withLine('title', `title: ${word}`), 'title');
      expect(error.message).toContain('boolean');
    }
  });

  it('keeps y, n and quoted "yes" as strings', () => {
    expect(run(loreFile(withLine('title', 'title: y')))[0]?.payload.title).toBe('y');
    expect(run(loreFile(withLine('title', 'title: n')))[0]?.payload.title).toBe('n');
    expect(run(loreFile(withLine('title', 'title: "yes"')))[0]?.payload.title).toBe('yes');
  });

  it('reads numbers the 1.1 way: 0123 and 2024 are ints, 1E5 and 0900 stay strings', () => {
    frontMatterError(withLine('chunk_id', 'chunk_id: 0123'), 'chunk_id');
    frontMatterError(withLine('chunk_id', 'chunk_id: 2024'), 'chunk_id');
    frontMatterError(withLine('chunk_id', 'chunk_id: 1_000'), 'chunk_id');
    frontMatterError(withLine('chunk_id', 'chunk_id: 12:30'), 'chunk_id');
    expect(run(loreFile(withLine('chunk_id', 'chunk_id: 1E5')))[0]?.stableId).toBe('1E5-000');
    expect(run(loreFile(withLine('chunk_id', 'chunk_id: 0900')))[0]?.stableId).toBe('0900-000');
  });

  it('reads YYYY-MM-DD as a date (not a string) but 2024-1-5 as a string', () => {
    frontMatterError(withLine('title', 'title: 2024-01-05'), 'title');
    expect(run(loreFile(withLine('title', 'title: 2024-1-5')))[0]?.payload.title).toBe('2024-1-5');
  });

  it('reads ~ and an empty value as null', () => {
    frontMatterError(withLine('title', 'title: ~'), 'title');
    frontMatterError(withLine('title', 'title:'), 'title');
  });

  it('supports << merge keys', () => {
    const text = loreFile('chunk_id: MERGED\n<<: {title: Merged, audience: Teen}\ntags: []');
    expect(run(text)[0]?.payload).toMatchObject({ title: 'Merged', audience: 'Teen' });
  });
});

describe('front matter checks, in the reference order', () => {
  it('requires chunk_id, title, audience and tags, naming the first one missing', () => {
    for (const field of ['chunk_id', 'title', 'audience', 'tags']) {
      frontMatterError(withLine(field, null), field);
    }
  });

  it('requires a chunk_id of upper-case letters, digits, _ and -, not ending in - or _', () => {
    for (const bad of ['lower', 'A', '-AB', 'AB-', 'A B', 'ÄB']) {
      frontMatterError(withLine('chunk_id', `chunk_id: "${bad}"`), 'chunk_id');
    }
  });

  it('applies the schema after the manual checks: chunk_id of 2 or of 65 characters', () => {
    frontMatterError(withLine('chunk_id', 'chunk_id: AB'), 'chunk_id');
    frontMatterError(withLine('chunk_id', `chunk_id: ${'A'.repeat(65)}`), 'chunk_id');
    expect(run(loreFile(withLine('chunk_id', `chunk_id: ${'A'.repeat(64)}`)))).toHaveLength(1);
  });

  it('accepts a chunk_id with one trailing newline, as Python re.match and jsonschema do', () => {
    expect(run(loreFile(withLine('chunk_id', 'chunk_id: "ABC\\n"')))[0]?.stableId).toBe('ABC\n-000');
    frontMatterError(withLine('chunk_id', 'chunk_id: "ABC\\n\\n"'), 'chunk_id');
  });

  it('requires a non-blank title of at most 256 code points', () => {
    frontMatterError(withLine('title', 'title: "  \\t "'), 'title');
    frontMatterError(withLine('title', 'title: "\\u3000"'), 'title');
    frontMatterError(withLine('title', `title: ${'t'.repeat(257)}`), 'title');
    expect(run(loreFile(withLine('title', `title: ${'😀'.repeat(256)}`)))).toHaveLength(1);
  });

  it('requires one of the four audiences, case-sensitively', () => {
    for (const audience of ['Player', 'GM-Only', 'Teen', 'Adult']) {
      expect(run(loreFile(withLine('audience', `audience: ${audience}`)))[0]?.payload.audience).toBe(
        audience,
      );
    }
    frontMatterError(withLine('audience', 'audience: player'), 'audience');
    frontMatterError(withLine('audience', 'audience: [Player]'), 'audience');
  });

  it('requires tags to be a list of unique lower-case category:value strings', () => {
    frontMatterError(withLine('tags', 'tags: test:basic'), 'tags');
    frontMatterError(withLine('tags', 'tags: [test:ok, Test:bad]'), 'tags[1]');
    frontMatterError(withLine('tags', 'tags: [nocolon]'), 'tags[0]');
    frontMatterError(withLine('tags', 'tags: [yes]'), 'tags[0]');
    frontMatterError(withLine('tags', 'tags: [a:b, a:b]'), 'tags');
    expect(run(loreFile(withLine('tags', 'tags: []')))[0]?.payload.tags).toEqual([]);
  });

  it('requires embedding_hint to be a string of at most 128 code points', () => {
    frontMatterError(`${BASIC_FRONT_MATTER}\nembedding_hint: no`, 'embedding_hint');
    frontMatterError(`${BASIC_FRONT_MATTER}\nembedding_hint:`, 'embedding_hint');
    frontMatterError(`${BASIC_FRONT_MATTER}\nembedding_hint: ${'h'.repeat(129)}`, 'embedding_hint');
    const [chunk] = run(loreFile(`${BASIC_FRONT_MATTER}\nembedding_hint: ${'😀'.repeat(128)}`));
    expect(chunk?.payload.embedding_hint).toBe('😀'.repeat(128));
  });

  it('format-checks provenance only, accepting the TEST_MANIFEST_HASH sentinel', () => {
    const provenance = (hash: string, path = 'lore/test.md') =>
      `${BASIC_FRONT_MATTER}\nprovenance:\n  manifest_hash: ${hash}\n  source_path: ${path}`;
    expect(run(loreFile(provenance('TEST_MANIFEST_HASH')))).toHaveLength(1);
    expect(run(loreFile(provenance(`"${'0'.repeat(64)}"`, 'somewhere/else.md')))).toHaveLength(1);
    // Unquoted, 64 zeros are the YAML 1.1 octal integer 0.
    frontMatterError(provenance('0'.repeat(64)), 'provenance.manifest_hash');
    frontMatterError(provenance('A'.repeat(64)), 'provenance.manifest_hash');
    frontMatterError(provenance('test_manifest_hash'), 'provenance.manifest_hash');
    frontMatterError(provenance('f'.repeat(64), '"  "'), 'provenance.source_path');
    frontMatterError(`${BASIC_FRONT_MATTER}\nprovenance: {source_path: x.md}`, 'provenance.manifest_hash');
    frontMatterError(`${BASIC_FRONT_MATTER}\nprovenance: [a]`, 'provenance');
    frontMatterError(`${provenance('f'.repeat(64))}\n  extra: 1`, 'provenance.extra');
  });

  it('refuses any other key, naming it', () => {
    const error = frontMatterError(`${BASIC_FRONT_MATTER}\nauthor: Someone`, 'author');
    expect(error.message).toContain('not an allowed field');
  });
});
