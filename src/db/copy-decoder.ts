/**
 * Decodes PostgreSQL's binary COPY stream (`COPY ... TO STDOUT (FORMAT binary)`), the mirror of
 * copy-encoder.ts: the header, then per tuple a 16-bit field count and per field a 32-bit length (-1: NULL)
 * and the value's bytes, then a field count of -1. Tuples come out a page at a time, as the chunks that hold
 * them arrive; each field is a view into the received bytes (nothing is copied but a tuple split across two
 * chunks).
 */
import { COPY_BINARY_HEADER } from './copy-encoder.js';

/** One tuple: each field's bytes, or null for NULL. */
export type CopyTuple = (Buffer | null)[];

export class CopyFormatError extends Error {
  constructor(message: string) {
    super(`binary COPY data: ${message}`);
    this.name = 'CopyFormatError';
  }
}

export async function* copyTuples(
  chunks: AsyncIterable<Buffer> | Iterable<Buffer>,
): AsyncGenerator<CopyTuple[]> {
  let rest: Buffer | null = null;
  let headerRead = false;
  let ended = false;
  for await (const chunk of chunks) {
    let bytes: Buffer = chunk;
    let at = 0;
    const page: CopyTuple[] = [];
    if (rest && headerRead) {
      const split = joinSplitTuple(rest, chunk);
      if (split === null) {
        rest = Buffer.concat([rest, chunk]);
        continue;
      }
      if (split.read === 'end') ended = true;
      else page.push(split.read.tuple);
      at = split.read === 'end' ? chunk.length : split.used;
    } else if (rest) {
      bytes = Buffer.concat([rest, chunk]);
    }
    if (!headerRead) {
      if (bytes.length < COPY_BINARY_HEADER.length) {
        rest = bytes;
        continue;
      }
      if (!bytes.subarray(0, 11).equals(COPY_BINARY_HEADER.subarray(0, 11))) {
        throw new CopyFormatError('the stream does not start with the PGCOPY signature');
      }
      at = COPY_BINARY_HEADER.length + bytes.readUInt32BE(15);
      headerRead = true;
    }
    while (!ended) {
      const read = readTuple(bytes, at);
      if (read === null) break;
      if (read === 'end') {
        ended = true;
        at = bytes.length;
        break;
      }
      page.push(read.tuple);
      at = read.next;
    }
    rest = at < bytes.length ? bytes.subarray(at) : null;
    bytes = Buffer.alloc(0);
    if (page.length > 0) yield page;
  }
  if (!ended || rest) throw new CopyFormatError('the stream ended inside a tuple or without its trailer');
}

/**
 * The tuple (or trailer) that `rest` starts and `chunk` continues, read from a copy of its bytes alone, and how
 * many bytes of `chunk` it used; null when `chunk` does not complete it. (Joining `rest` with the whole chunk
 * would copy every byte of the stream once more.)
 */
function joinSplitTuple(
  rest: Buffer,
  chunk: Buffer,
): { read: { tuple: CopyTuple; next: number } | 'end'; used: number } | null {
  for (let take = Math.min(chunk.length, rest.length + 1024); ; take = Math.min(chunk.length, take * 2)) {
    const read = readTuple(Buffer.concat([rest, chunk.subarray(0, take)]), 0);
    if (read === 'end') return { read, used: 2 - rest.length };
    if (read !== null) return { read, used: read.next - rest.length };
    if (take === chunk.length) return null;
  }
}

/** The tuple at `at`, 'end' at the trailer, or null when the bytes hold only part of it. */
function readTuple(bytes: Buffer, at: number): { tuple: CopyTuple; next: number } | 'end' | null {
  if (bytes.length - at < 2) return null;
  const fields = bytes.readInt16BE(at);
  if (fields === -1) return 'end';
  const tuple: CopyTuple = new Array(fields);
  let position = at + 2;
  for (let field = 0; field < fields; field += 1) {
    if (bytes.length - position < 4) return null;
    const length = bytes.readInt32BE(position);
    position += 4;
    if (length < 0) {
      tuple[field] = null;
      continue;
    }
    if (bytes.length - position < length) return null;
    tuple[field] = bytes.subarray(position, position + length);
    position += length;
  }
  return { tuple, next: position };
}
