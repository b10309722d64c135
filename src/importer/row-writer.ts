/**
 * Writes a lazily computed sequence of rows into one table through the session's binary COPY: rows are
 * encoded while the server ingests the previous chunk (computation and ingestion overlap), never one round
 * trip per row, and at most one chunk of encoded rows is held.
 */
import { CopyTupleEncoder } from '../db/copy-encoder.js';
import type { Session } from '../db/database.js';

/** How rows of one kind are written: the COPY target and the tuple encoding. */
export interface TableWriter<R> {
  table: string;
  columns: readonly string[];
  encode(encoder: CopyTupleEncoder, row: R): void;
}

/** A chunk is handed to the database at this many encoded bytes even when it has fewer rows than a batch. */
const MAX_CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * Writes `rows` in chunks of `batchSize` rows (the iterable is consumed as the database takes the data) and
 * calls `onBatch` with the size of each chunk once the database has taken it.
 */
export async function writeRows<R>(
  tx: Session,
  writer: TableWriter<R>,
  rows: Iterable<R>,
  batchSize: number,
  onBatch: (rows: number) => void = () => {},
): Promise<void> {
  if (!tx.copyIn) {
    throw new Error(
      `cannot write ${writer.table}: this session has no COPY (use a Database.transaction session)`,
    );
  }
  await tx.copyIn(writer.table, writer.columns, encodeChunks(writer, rows, batchSize, onBatch));
}

async function* encodeChunks<R>(
  writer: TableWriter<R>,
  rows: Iterable<R>,
  batchSize: number,
  onBatch: (rows: number) => void,
): AsyncGenerator<Buffer> {
  const encoder = new CopyTupleEncoder();
  for (const row of rows) {
    writer.encode(encoder, row);
    if (encoder.pending >= batchSize || encoder.size >= MAX_CHUNK_BYTES) {
      const count = encoder.pending;
      yield encoder.take();
      onBatch(count);
    }
  }
  if (encoder.pending > 0) {
    const count = encoder.pending;
    yield encoder.take();
    onBatch(count);
  }
}
