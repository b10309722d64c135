/** What a file's bytes say it defines, for errors about a file that does not match content_index. */
import { describe, expect, it } from 'vitest';
import { definedStableIds, NAMED_IDS, namedIds } from '../../../src/phases/defined-ids.js';
import { BASIC_FRONT_MATTER, loreFile } from '../lore/support.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('definedStableIds', () => {
  it('reads the id of an entity, and of every edge of an edge file, in file order', () => {
    expect(
      definedStableIds('entities/npc/maren.json', bytes('{"stable_id": "maren", "kind": "npc"}')),
    ).toEqual(['maren']);
    expect(definedStableIds('edges/one.json', bytes('{"stable_id": "e1"}'))).toEqual(['e1']);
    expect(
      definedStableIds(
        'edges/all.json',
        bytes('[{"stable_id": "e2"}, {"type": "knows"}, {"stable_id": "e1"}]'),
      ),
    ).toEqual(['e2', 'e1']);
  });

  it('reads the tags, then the affordances, of an ontology file (ontology/ or ontologies/)', () => {
    const ontology =
      '{"affordances": [{"affordance_id": "climb"}], "tags": [{"tag_id": "t:a"}, {"tag_id": "t:b"}]}';
    expect(definedStableIds('ontology/core.json', bytes(ontology))).toEqual(['t:a', 't:b', 'climb']);
    expect(definedStableIds('ontologies/core.json', bytes(ontology))).toEqual(['t:a', 't:b', 'climb']);
  });

  it("names a lore file's chunks as the lore phase does", () => {
    const text = loreFile(BASIC_FRONT_MATTER, 'Intro.\n\n## One\nFirst.\n\n## Two\nSecond.');
    expect(definedStableIds('lore/a.md', bytes(text))).toEqual([
      'TEST-CHUNK-000',
      'TEST-CHUNK-001',
      'TEST-CHUNK-002',
    ]);
  });

  it('names nothing for bytes that do not parse, and for files outside the phase folders', () => {
    expect(definedStableIds('entities/x.json', bytes('{"stable_id": "cut'))).toEqual([]);
    expect(definedStableIds('entities/x.json', Buffer.from([0xff, 0xfe]))).toEqual([]);
    expect(definedStableIds('lore/a.md', bytes('no front matter'))).toEqual([]);
    expect(definedStableIds('README.md', bytes('{"stable_id": "x"}'))).toEqual([]);
    expect(definedStableIds('notes/x.json', bytes('{"stable_id": "x"}'))).toEqual([]);
    expect(definedStableIds('entities/x.txt', bytes('{"stable_id": "x"}'))).toEqual([]);
  });
});

describe('namedIds', () => {
  it('gives stable_id for one id, and caps a long list in the facts and the message', () => {
    expect(namedIds([])).toEqual({ facts: {}, clause: '' });
    expect(namedIds(['a'])).toEqual({
      facts: { stable_id: 'a', stable_ids: ['a'] },
      clause: '; it defines a',
    });
    const many = Array.from({ length: NAMED_IDS + 3 }, (_, index) => `id-${index}`);
    const named = namedIds(many);
    expect(named.facts).toEqual({ stable_ids: many.slice(0, NAMED_IDS) });
    expect(named.clause).toBe(
      `; it defines ${NAMED_IDS + 3} objects: ${many.slice(0, NAMED_IDS).join(', ')} and 3 more`,
    );
  });
});
