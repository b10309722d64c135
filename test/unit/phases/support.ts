/** In-memory snapshots for the phase tests: the phases are pure, so no folder is needed. */

import type { JsonObject } from '../../../src/canonical/index.js';
import { sha256Hex } from '../../../src/canonical/index.js';
import type { PackageFile, PackageSnapshot } from '../../../src/phases/types.js';
import { PACKAGE_ID } from '../package/support.js';

export function packageFile(path: string, content: string | Buffer): PackageFile {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return { path, bytes, rawHash: sha256Hex(bytes) };
}

export interface SnapshotSpec {
  entities?: Record<string, string | Buffer>;
  edges?: Record<string, string | Buffer>;
  ontology?: Record<string, string | Buffer>;
  contentIndex?: Record<string, string>;
}

export function snapshotOf(spec: SnapshotSpec): PackageSnapshot {
  const files = (group: Record<string, string | Buffer> = {}): PackageFile[] =>
    Object.entries(group)
      .map(([path, content]) => packageFile(path, content))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const entities = files(spec.entities);
  const edges = files(spec.edges);
  const ontology = files(spec.ontology);
  return {
    manifest: {
      raw: { package_id: PACKAGE_ID } as JsonObject,
      packageId: PACKAGE_ID,
      manifestHash: 'f'.repeat(64),
      schemaVersion: 1,
      rulesetVersion: '1.0.0',
      contentIndex: new Map(Object.entries(spec.contentIndex ?? {})),
    },
    entities,
    edges,
    ontology,
    lore: [],
    fingerprints: [...entities, ...edges, ...ontology].map(({ path, rawHash }) => ({ path, rawHash })),
  };
}

/** An entity file's text. */
export function entityJson(stableId: string, overrides: Record<string, unknown> = {}): string {
  return `${JSON.stringify({ stable_id: stableId, kind: 'npc', name: 'Maren', tags: [], affordances: [], ...overrides }, null, 2)}\n`;
}

export const NPC_ID = '01JJV9SM460MAAJTAXJ9T8KSA1';
export const PLACE_ID = '01JJV9SM460MAAJTAXJ9T8KSA2';
export const ORG_ID = '01JJV9SM460MAAJTAXJ9T8KSA3';
