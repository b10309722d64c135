/**
 * The packages the resilience suite imports: a committed base (the lighthouse fixture) that every campaign
 * holds before the attempt under test, and a generated attempt package with every phase populated.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Phase } from '../../../src/errors.js';
import { type GeneratedPackage, generatePackage } from '../../../src/harness/index.js';
import type { Counts } from '../../../src/index.js';

export const BASE_PACKAGE = fileURLToPath(new URL('../../../fixtures/packages/lighthouse', import.meta.url));
export const ANNEX_PACKAGE = fileURLToPath(
  new URL('../../../fixtures/packages/lighthouse-annex', import.meta.url),
);
/** Events the base package appends to an empty campaign (ordinals 0..17). */
export const BASE_EVENTS = 18;

/** A scratch folder for one test file; `cleanup()` removes it. */
export interface Scratch {
  dir: string;
  path(name: string): string;
  cleanup(): void;
}

export function scratch(label: string): Scratch {
  const dir = mkdtempSync(join(tmpdir(), `chronicle-resilience-${label}-`));
  return {
    dir,
    path: (name) => join(dir, name),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The attempt package: ~60 objects, every phase populated (15 entities, 30 edges, 3 ontology, 12 chunks). */
export function generateAttempt(
  where: Scratch,
  name = 'attempt',
  objects = 60,
  seed = 7,
): Promise<GeneratedPackage> {
  return generatePackage({ objects, seed, outDir: where.path(name) });
}

/** Events an import of a package with these counts appends to a campaign that holds none of its objects. */
export function eventsOf(counts: Counts): number {
  return 2 + counts.entities + counts.edges + counts.tags + counts.affordances + counts.chunks;
}

/**
 * The phase the n-th event (1-based) of an import belongs to: the manifest event first, then entities, edges,
 * tags and affordances (ontology), chunks (lore), the completion event (finalization).
 */
export function phaseOfEvent(n: number, counts: Counts): Phase {
  const bounds: [number, Phase][] = [
    [1, 'manifest'],
    [1 + counts.entities, 'entity'],
    [1 + counts.entities + counts.edges, 'edge'],
    [1 + counts.entities + counts.edges + counts.tags + counts.affordances, 'ontology'],
    [eventsOf(counts) - 1, 'lore'],
  ];
  for (const [last, phase] of bounds) if (n <= last) return phase;
  return 'finalization';
}
