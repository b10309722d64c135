/**
 * The physical limit, measured honestly: record every statement an import's transaction runs, with the
 * exact COPY data it streamed (events, projections, ImportLog), then replay that log into an empty database.
 * The replay writes the same rows through the same COPY statements with every byte computed beforehand, so
 * it costs only what PostgreSQL itself needs (parsing, jsonb, indexes, triggers, WAL).
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

/** Records the statements of `db`'s transactions into `dir`; call `finish()` once the import is done. */
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

/** Replays the log in one transaction: the same statements, the same COPY chunks, in the same order. */
export async function replayLog(db: Database, log: LoadedLog): Promise<void> {
  await db.transaction(async (tx) => {
    let offset = 0;
    for (const step of log.steps) {
      if (step.kind === 'query') {
        await tx.query(step.text, step.params.map(fromParam));
        continue;
      }
      const start = offset;
      offset += step.chunks.reduce((sum, length) => sum + length, 0);
      if (!tx.copyIn) throw new Error('bench: the transaction session has no COPY');
      await tx.copyIn(step.table, step.columns, chunksOf(log.data, start, step.chunks));
    }
  });
}

async function* chunksOf(data: Buffer, start: number, lengths: readonly number[]): AsyncGenerator<Buffer> {
  let offset = start;
  for (const length of lengths) {
    yield data.subarray(offset, offset + length);
    offset += length;
  }
}
