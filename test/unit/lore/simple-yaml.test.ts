/**
 * The everyday front matter read without the YAML parser must give exactly what the parser (PyYAML's rules)
 * gives, and leave everything else to it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseYaml } from '../../../src/phases/lore-yaml.js';
import { readSimpleYaml } from '../../../src/phases/simple-yaml.js';

const FIXTURES = new URL('../../../fixtures', import.meta.url).pathname;

function loreSources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.md') && file.includes('lore'))
    .map((file) => /^---\n([\s\S]*?)\n---\n/.exec(readFileSync(join(dir, file), 'utf8'))?.[1])
    .filter((source): source is string => source !== undefined);
}

describe('readSimpleYaml', () => {
  it('reads the everyday shape as the parser does', () => {
    const source = [
      'chunk_id: LORE-006075',
      'title: "The Salt Reach: a # tale"',
      'audience: Player',
      'tags:',
      '  - mood:lonely',
      '  - npc:keeper',
      "note: it's here/there 1.5",
      "quoted: 'yes'",
      'y: n',
      'list:',
      '- a',
      '- b',
      'embedding_hint: focus:danger',
    ].join('\n');
    const simple = readSimpleYaml(source);
    expect(simple).toEqual({
      chunk_id: 'LORE-006075',
      title: 'The Salt Reach: a # tale',
      audience: 'Player',
      tags: ['mood:lonely', 'npc:keeper'],
      note: "it's here/there 1.5",
      quoted: 'yes',
      y: 'n',
      list: ['a', 'b'],
      embedding_hint: 'focus:danger',
    });
    expect(simple).toEqual(parseYaml(source).value);
  });

  it.each([
    ['a boolean word', 'audience: yes'],
    ['a boolean word as a key', 'on: x'],
    ['null', 'title: Null'],
    ['a number', 'title: 12'],
    ['a date', 'title: 2024-01-05'],
    ['a key with no value', 'title:'],
    ['an empty value', 'title: '],
    ['a comment', 'title: x # note'],
    ['a mapping in the value', 'title: a: b'],
    ['a colon at the end', 'title: a:'],
    ['an escape', 'title: "a\\tb"'],
    ['a doubled quote', "title: 'it''s'"],
    ['non-ASCII text', 'title: café'],
    ['a tab', 'title:\tx'],
    ['a flow list', 'tags: [a, b]'],
    ['a nested mapping', 'provenance:\n  source: x'],
    ['a continued plain scalar', 'title: The Salt\n  Reach'],
    ['items at two indents', 'tags:\n  - a\n    - b'],
    ['a repeated key', 'title: a\ntitle: b'],
    ['a blank line', 'title: a\n\naudience: b'],
    ['an anchor', 'title: &a x'],
    ['a tag', 'title: !!str x'],
    ['a block scalar', 'title: |\n  x'],
    ['a document marker', '---\ntitle: x'],
    ['nothing', ''],
  ])('leaves %s to the parser', (_name, source) => {
    expect(readSimpleYaml(source)).toBeUndefined();
  });

  it('agrees with the parser on every lore file of the fixtures', () => {
    const sources = loreSources(FIXTURES);
    expect(sources.length).toBeGreaterThan(5);
    let simple = 0;
    for (const source of sources) {
      const value = readSimpleYaml(source);
      if (value === undefined) continue;
      simple += 1;
      expect(value, source).toEqual(parseYaml(source).value);
    }
    expect(simple).toBeGreaterThan(0);
  });

  it('agrees with the parser on 5,000 front matters made of likely and tricky pieces', () => {
    const keys = ['chunk_id', 'title', 'audience', 'tags', 'y', 'On', 'key_2', 'x'];
    const scalars = [
      'LORE-1',
      'Player',
      'focus:danger',
      'a b  c',
      "don't",
      'x.y/z',
      'Yes',
      'no',
      'OFF',
      'null',
      'NULL',
      'n',
      'Y',
      'nan',
      'inf',
      'e5',
      '1e5',
      '0x1F',
      '1:30',
      '2024-01-05',
      '.inf',
      '~',
      '"quoted: # x"',
      '"yes"',
      "'single'",
      "'it''s'",
      '"a\\"b"',
      'a: b',
      'a:',
      'a #b',
      '[a]',
      '{a: 1}',
      '- a',
      '',
      '&x a',
      '*x',
      '!x a',
      '=',
    ];
    let state = 7;
    const pick = <T>(items: readonly T[]): T => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return items[state % items.length] as T;
    };
    let simple = 0;
    for (let i = 0; i < 5000; i++) {
      const lines: string[] = [];
      const count = 1 + (i % 4);
      for (let k = 0; k < count; k++) {
        const key = pick(keys);
        if (pick([true, false, false])) {
          lines.push(`${key}:`);
          const indent = pick(['', '  ', '    ']);
          for (let n = 0; n < 1 + (k % 3); n++) lines.push(`${indent}- ${pick(scalars)}`);
        } else {
          lines.push(`${key}: ${pick(scalars)}`);
        }
      }
      const source = lines.join('\n');
      const value = readSimpleYaml(source);
      if (value === undefined) continue;
      simple += 1;
      let parsed: unknown;
      try {
        parsed = parseYaml(source).value;
      } catch (error) {
        throw new Error(`the parser refuses what readSimpleYaml read:\n${source}\n${String(error)}`);
      }
      expect(value, source).toEqual(parsed);
    }
    // the comparison is not vacuous: a good share of the sources had the simple shape
    expect(simple).toBeGreaterThan(300);
  });
});
