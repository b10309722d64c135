/**
 * The state digest (NOTES.md §6): SHA-256 of the canonical JSON of `{"state_components": [...]}`, the
 * components `(phase, stable_id, content_hash)` sorted by code point. Counts, ImportLog and events are not
 * part of it, so a campaign's projections give the same digest as the plans that filled them.
 */
import { createHash } from 'node:crypto';
import { canonicalJson, compareCodePoints } from '../canonical/index.js';
import type { RecordKind } from '../phases/types.js';

export interface DigestComponent {
  phase: string;
  stable_id: string;
  content_hash: string;
}

export const DIGEST_PHASE: Record<RecordKind, string> = {
  entity: 'entity',
  edge: 'edge',
  tag: 'ontology.tag',
  affordance: 'ontology.affordance',
  chunk: 'lore',
};

export function manifestComponent(packageId: string, manifestHash: string): DigestComponent {
  return { phase: 'manifest', stable_id: packageId, content_hash: manifestHash };
}

export function stateDigest(components: readonly DigestComponent[]): string {
  const sorted = [...components].sort(
    (a, b) =>
      compareCodePoints(a.phase, b.phase) ||
      compareCodePoints(a.stable_id, b.stable_id) ||
      compareCodePoints(a.content_hash, b.content_hash),
  );
  const hash = createHash('sha256').update('{"state_components":[');
  const CHUNK = 4096;
  for (let start = 0; start < sorted.length; start += CHUNK) {
    const items = sorted
      .slice(start, start + CHUNK)
      .map(componentJson)
      .join(',');
    hash.update(start === 0 ? items : `,${items}`);
  }
  return hash.update(']}').digest('hex');
}

/** Printable ASCII but `"` and backslash: canonical JSON writes such a string as itself between quotes. */
const PLAIN_TEXT = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * One component's canonical JSON, as the state digest hashes it. Plain components (the usual ULIDs and hex
 * hashes) are written directly, keys in code-point order; anything else goes through the canonicaliser.
 */
export function componentJson(component: DigestComponent): string {
  const { phase, stable_id: stableId, content_hash: contentHash } = component;
  if (PLAIN_TEXT.test(phase) && PLAIN_TEXT.test(stableId) && PLAIN_TEXT.test(contentHash)) {
    return `{"content_hash":"${contentHash}","phase":"${phase}","stable_id":"${stableId}"}`;
  }
  return canonicalJson({ content_hash: contentHash, phase, stable_id: stableId });
}
