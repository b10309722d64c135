/**
 * The state digest (NOTES.md §6): SHA-256 of the canonical JSON of `{"state_components": [...]}`, the
 * components `(phase, stable_id, content_hash)` sorted by code point. Counts, ImportLog and events are not
 * part of it, so a campaign's projections give the same digest as the plans that filled them.
 */
import { canonicalHashHex, compareCodePoints } from '../canonical/index.js';
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
  return canonicalHashHex({ state_components: sorted });
}
