/**
 * The edge type taxonomy (reference `edge-type-taxonomy-v1.json`, NOTES §1.5): which types exist, which
 * attributes each one requires and whether it needs validity metadata. `optionalAttributes` is documentation
 * only: unknown attributes are allowed, as in the reference.
 */
export interface EdgeTypeRule {
  requiredAttributes: readonly string[];
  optionalAttributes: readonly string[];
  validityRequired: boolean;
}

export const EDGE_TAXONOMY: ReadonlyMap<string, EdgeTypeRule> = new Map([
  [
    'npc.resides_in.location',
    {
      requiredAttributes: ['relationship_context'],
      optionalAttributes: ['duty_schedule'],
      validityRequired: false,
    },
  ],
  [
    'organization.controls.location',
    { requiredAttributes: ['charter_clause', 'oversight'], optionalAttributes: [], validityRequired: true },
  ],
  [
    'adjacent_to',
    { requiredAttributes: [], optionalAttributes: ['distance', 'connection_type'], validityRequired: false },
  ],
]);
