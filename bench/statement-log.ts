/**
 * The physical limit, measured honestly: record every statement an import's transaction runs, with the
 * exact COPY data it streamed (events, projections, ImportLog), then replay that log into an empty database.
 * The replay writes the same rows with every byte computed beforehand, and all the rows of a table in one
 * COPY (the import writes a batch at a time, as its plan comes): it costs only what PostgreSQL itself needs
 * (parsing, jsonb, indexes, triggers, WAL) for the fewest statements.
 */
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Database, Session } from '../src/db/database.js';

type Param = string | number | boolean | null | { hex: string };

interface CopyStep {
  kind: 'copy';
  table: string;
  columns: string[];
  /** Byte lengths of the chunks, which follow each other in the data file. */
  chunks: number[];
}

type Step = { kind: 'query'; text: string; params: Param[] } | CopyStep;

const STEPS_FILE = 'steps.json';
const DATA_FILE = 'copy-data.bin';

function toParam(value: unknown): Param {
  if (Buffer.isBuffer(value)) return { hex: value.toString('hex') };
  if (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  ) {
    return value;
  }
  throw new Error(`bench: cannot record a statement parameter of type ${typeof value}`);
}

function fromParam(param: Param): unknown {
  return param !== null && typeof param === 'object' ? Buffer.from(param.hex, 'hex') : param;
}

/** Records the statements of `db`'s transactions (and of its kept connections') into `dir`; call `finish()` once the import is done. */
export function recordingDatabase(db: Database, dir: string): { db: Database; finish(): void } {
  const steps: Step[] = [];
  const data = openSync(join(dir, DATA_FILE), 'w');
  const record = (tx: Session): Session => ({
    backend: tx.backend,
    query(text, params) {
      steps.push({ kind: 'query', text, params: (params ?? []).map(toParam) });
      return tx.query(text, params);
    },
    copyIn(table, columns, tuples) {
      const step: CopyStep = { kind: 'copy', table, columns: [...columns], chunks: [] };
      steps.push(step);
      async function* tee(): AsyncGenerator<Buffer> {
        for await (const chunk of tuples) {
          writeSync(data, chunk);
          step.chunks.push(chunk.length);
          yield chunk;
        }
      }
      if (!tx.copyIn) throw new Error('bench: the transaction session has no COPY');
      return tx.copyIn(table, columns, tee());
    },
  });
  return {
    db: {
      backend: db.backend,
      query: (text, params) => db.query(text, params),
      transaction: (fn) => db.transaction((tx) => fn(record(tx))),
      // The import keeps one connection: its transaction is the one recorded.
      async reserve() {
        const session = await db.reserve();
        return {
          backend: session.backend,
          get usable() {
            return session.usable;
          },
          query: (text, params) => session.query(text, params),
          transaction: (fn) => session.transaction((tx) => fn(record(tx))),
          release: () => session.release(),
        };
      },
      close: () => db.close(),
    },
    finish() {
      closeSync(data);
      writeFileSync(join(dir, STEPS_FILE), JSON.stringify(steps));
    },
  };
}

export interface LoadedLog {
  steps: Step[];
  data: Buffer;
  bytes: number;
}

/** Reads a recorded log fully into memory (so that replaying it reads nothing from disk). */
export function loadLog(dir: string): LoadedLog {
  const steps = JSON.parse(readFileSync(join(dir, STEPS_FILE), 'utf8')) as Step[];
  const data = readFileSync(join(dir, DATA_FILE));
  return { steps, data, bytes: data.length };
}

/**
 * Replays the log in one transaction: the same statements in the same order, except that every COPY into a
 * table streams, where the first one stood, the chunks of all the COPYs into that table, in their order.
 */
export async function replayLog(db: Database, log: LoadedLog): Promise<void> {
  await db.transaction(async (tx) => {
    for (const step of mergeCopies(log.steps)) {
      if (step.kind === 'query') {
        await tx.query(step.text, step.params.map(fromParam));
        continue;
      }
      if (!tx.copyIn) throw new Error('bench: the transaction session has no COPY');
      await tx.copyIn(step.table, step.columns, chunksOf(log.data, step.chunks));
    }
  });
}

type Chunk = { offset: number; length: number };
type ReplayStep =
  | Extract<Step, { kind: 'query' }>
  | { kind: 'copy'; table: string; columns: string[]; chunks: Chunk[] };

function mergeCopies(steps: readonly Step[]): ReplayStep[] {
  const merged: ReplayStep[] = [];
  const byTarget = new Map<string, Extract<ReplayStep, { kind: 'copy' }>>();
  let offset = 0;
  for (const step of steps) {
    if (step.kind === 'query') {
      merged.push(step);
      continue;
    }
    const target = `${step.table} (${step.columns.join(', ')})`;
    let copy = byTarget.get(target);
    if (!copy) {
      copy = { kind: 'copy', table: step.table, columns: step.columns, chunks: [] };
      byTarget.set(target, copy);
      merged.push(copy);
    }
    for (const length of step.chunks) {
      copy.chunks.push({ offset, length });
      offset += length;
    }
  }
  return merged;
}

async function* chunksOf(data: Buffer, chunks: readonly Chunk[]): AsyncGenerator<Buffer> {
  for (const { offset, length } of chunks) yield data.subarray(offset, offset + length);
}
