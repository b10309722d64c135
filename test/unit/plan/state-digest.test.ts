import { describe, expect, it } from 'vitest';
import { canonicalHashHex, compareCodePoints } from '../../../src/canonical/index.js';
import { type DigestComponent, stateDigest } from '../../../src/plan/state-digest.js';

/** The definition (NOTES.md §6): canonical JSON of the components sorted by code point, hashed. */
function byDefinition(components: DigestComponent[]): string {
  const sorted = [...components].sort(
    (a, b) =>
      compareCodePoints(a.phase, b.phase) ||
      compareCodePoints(a.stable_id, b.stable_id) ||
      compareCodePoints(a.content_hash, b.content_hash),
  );
  return canonicalHashHex({ state_components: sorted });
}

describe('stateDigest', () => {
  const plain = Array.from({ length: 9000 }, (_, i) => ({
    phase: ['entity', 'edge', 'lore', 'ontology.tag'][i % 4] as string,
    stable_id: `01J${(i * 7919).toString(36).toUpperCase().padStart(23, '0')}`,
    content_hash: (i * 2654435761).toString(16).padStart(64, 'a'),
  }));

  it('is the canonical hash of the sorted components, for plain ASCII ids (several write chunks)', () => {
    expect(stateDigest(plain)).toBe(byDefinition(plain));
  });

  it('is the same for ids that need escaping or normalising (quote, backslash, control, non-ASCII)', () => {
    for (const odd of ['say "hi"', 'back\\slash', 'tab\there', 'Cafe\u0301', '\u{1F600}', '']) {
      const components = [...plain.slice(0, 50), { phase: 'lore', stable_id: odd, content_hash: 'ff' }];
      expect(stateDigest(components)).toBe(byDefinition(components));
    }
  });
});
