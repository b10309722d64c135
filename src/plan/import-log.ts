/** The ImportLog rows a plan produces, in order (NOTES.md §5.2): manifest, one per object, summary. */
import type { ImportPlan, PlannedObject } from './types.js';

export type LogAction = 'validated' | 'created' | 'ingested' | 'skipped' | 'completed';

export interface PlannedLogEntry {
  phase: string;
  objectType: string;
  stableId: string;
  fileHash: string;
  action: LogAction;
  /** The object this row records, when it records one. */
  object: PlannedObject | null;
}

const OBJECT_LOG_PHASE: Record<PlannedObject['kind'], string> = {
  entity: 'entity',
  edge: 'edge',
  tag: 'ontology',
  affordance: 'ontology',
  chunk: 'lore',
};

export function importLogEntries(plan: ImportPlan): PlannedLogEntry[] {
  return [
    {
      phase: 'manifest',
      objectType: 'package',
      stableId: plan.packageId,
      fileHash: plan.manifestHash,
      action: 'validated',
      object: null,
    },
    ...plan.objects.map(
      (object): PlannedLogEntry => ({
        phase: OBJECT_LOG_PHASE[object.kind],
        objectType: object.objectType,
        stableId: object.stableId,
        fileHash: object.contentHash,
        action: object.kind === 'chunk' ? 'ingested' : 'created',
        object,
      }),
    ),
    {
      phase: 'finalization',
      objectType: 'summary',
      stableId: `summary-${plan.packageId}`,
      fileHash: plan.stateDigest,
      action: 'completed',
      object: null,
    },
  ];
}
