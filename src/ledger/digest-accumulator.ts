/**
 * Recomputes one import's state digest from its ImportLog rows: the manifest row and every object row
 * (created, ingested or skipped: the digest covers the whole package), as `(phase, stable_id, content_hash)`
 * components, in bounded memory. The digest hashes the components sorted by code point, so up to
 * `memoryLimit` of them are held; beyond that, sorted runs are spilled to a temporary folder and merged
 * (an external sort), and the canonical JSON of `{"state_components": [...]}` is hashed as it streams.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareCodePoints } from '../canonical/index.js';
import { componentJson, DIGEST_PHASE, type DigestComponent } from '../plan/state-digest.js';
import type { LogRecord } from './audit-records.js';
import { readLines } from './line-reader.js';

const LOG_TO_DIGEST_PHASE: Record<string, string> = {
  manifest: 'manifest',
  entity: DIGEST_PHASE.entity,
  edge: DIGEST_PHASE.edge,
  lore: DIGEST_PHASE.chunk,
};

const ONTOLOGY_DIGEST_PHASE: Record<string, string> = {
  tag: DIGEST_PHASE.tag,
  affordance: DIGEST_PHASE.affordance,
};

/** Components held in memory before a sorted run is spilled to disk (1,000,000 events: 50 runs). */
export const DEFAULT_MEMORY_LIMIT = 20_000;
/** Characters of component text hashed at a time. */
const HASH_CHUNK_CHARS = 64 * 1024;
/** Read buffer per spilled run while merging (every run is read at once). */
const RUN_READ_CHUNK = 16 * 1024;

export function digestPhaseOf(row: LogRecord): string {
  if (row.phase === 'ontology') return ONTOLOGY_DIGEST_PHASE[row.objectType] ?? `ontology.${row.objectType}`;
  return LOG_TO_DIGEST_PHASE[row.phase] ?? row.phase;
}

/** The order of `stateDigest`: phase, then stable id, then content hash, each by code point. */
function compareComponents(a: DigestComponent, b: DigestComponent): number {
  return (
    compareCodePoints(a.phase, b.phase) ||
    compareCodePoints(a.stable_id, b.stable_id) ||
    compareCodePoints(a.content_hash, b.content_hash)
  );
}

export class DigestAccumulator {
  private components: DigestComponent[] = [];
  private readonly runs: string[] = [];
  private spillDir: string | null = null;

  constructor(private readonly memoryLimit = DEFAULT_MEMORY_LIMIT) {}

  /** Adds a row's component; the finalization row carries the digest itself and is not a component. */
  add(row: LogRecord): void {
    if (row.phase === 'finalization') return;
    this.components.push({ phase: digestPhaseOf(row), stable_id: row.stableId, content_hash: row.fileHash });
    if (this.components.length >= this.memoryLimit) this.spill();
  }

  /** The digest of the components added since the last call, and a fresh start. */
  async take(): Promise<string> {
    const hash = createHash('sha256').update('{"state_components":[');
    // Components are hashed in chunks of text: one `update` per component costs more than the hashing.
    let chunk = '';
    let separator = '';
    const write = (component: DigestComponent) => {
      chunk += separator + componentJson(component);
      separator = ',';
      if (chunk.length >= HASH_CHUNK_CHARS) {
        hash.update(chunk);
        chunk = '';
      }
    };
    if (this.runs.length === 0) {
      for (const component of this.components.sort(compareComponents)) write(component);
    } else {
      this.spill();
      for await (const component of mergeRuns(this.runs)) write(component);
    }
    this.components = [];
    this.dispose();
    return hash.update(chunk).update(']}').digest('hex');
  }

  /** Deletes the spilled runs (also after an aborted verification). */
  dispose(): void {
    this.runs.length = 0;
    if (this.spillDir) rmSync(this.spillDir, { recursive: true, force: true });
    this.spillDir = null;
  }

  private spill(): void {
    if (this.components.length === 0) return;
    this.spillDir ??= mkdtempSync(join(tmpdir(), 'chronicle-digest-'));
    const path = join(this.spillDir, `run-${this.runs.length}.ndjson`);
    const lines = this.components
      .sort(compareComponents)
      .map((c) => JSON.stringify([c.phase, c.stable_id, c.content_hash]));
    writeFileSync(path, `${lines.join('\n')}\n`);
    this.runs.push(path);
    this.components = [];
  }
}

/** A k-way merge of sorted run files (a binary heap of each run's next component). */
async function* mergeRuns(paths: readonly string[]): AsyncGenerator<DigestComponent> {
  const readers = paths.map((path) => runReader(path));
  const heap: { component: DigestComponent; reader: number }[] = [];
  const push = (entry: { component: DigestComponent; reader: number }) => {
    heap.push(entry);
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (compareComponents((heap[parent] as typeof entry).component, entry.component) <= 0) break;
      [heap[parent], heap[i]] = [heap[i] as typeof entry, heap[parent] as typeof entry];
      i = parent;
    }
  };
  const pop = () => {
    const top = heap[0];
    const last = heap.pop();
    if (top && last && heap.length > 0) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        for (const child of [left, right]) {
          if (
            child < heap.length &&
            compareComponents(
              (heap[child] as typeof top).component,
              (heap[smallest] as typeof top).component,
            ) < 0
          ) {
            smallest = child;
          }
        }
        if (smallest === i) break;
        [heap[smallest], heap[i]] = [heap[i] as typeof top, heap[smallest] as typeof top];
        i = smallest;
      }
    }
    return top;
  };
  for (const [index, reader] of readers.entries()) {
    const next = await reader.next();
    if (!next.done) push({ component: next.value, reader: index });
  }
  for (let top = pop(); top; top = pop()) {
    yield top.component;
    const next = await (readers[top.reader] as AsyncGenerator<DigestComponent>).next();
    if (!next.done) push({ component: next.value, reader: top.reader });
  }
}

async function* runReader(path: string): AsyncGenerator<DigestComponent> {
  for await (const lines of readLines(path, { chunkBytes: RUN_READ_CHUNK })) {
    for (const line of lines) {
      const [phase, stableId, contentHash] = JSON.parse(line.text) as [string, string, string];
      yield { phase, stable_id: stableId, content_hash: contentHash };
    }
  }
}
