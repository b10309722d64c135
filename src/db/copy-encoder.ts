/**
 * Encodes rows in PostgreSQL's binary COPY tuple format (a 16-bit field count, then per field a 32-bit
 * length, -1 for NULL, and the value in the type's binary send format). Values are written straight into
 * one growing buffer: no per-field allocation, no text escaping, bytes (hashes, canonical payloads) copied
 * as they are. The stream header and trailer are the session's job (`Session.copyIn`).
 */

/** `PGCOPY\n\377\r\n\0`, then 32-bit flags and header-extension length, both zero. */
export const COPY_BINARY_HEADER: Buffer = Buffer.concat([
  Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'),
  Buffer.alloc(8),
]);
/** A field count of -1 ends the data. */
export const COPY_BINARY_TRAILER: Buffer = Buffer.from([0xff, 0xff]);

/** 2000-01-01T00:00:00Z, PostgreSQL's timestamp epoch, in Unix microseconds. */
export const POSTGRES_EPOCH_MICROS = 946_684_800_000_000n;
/** jsonb's binary format: a version byte, then the JSON text. */
const JSONB_VERSION = 1;
const INITIAL_CAPACITY = 256 * 1024;

export class CopyTupleEncoder {
  private buffer: Buffer = Buffer.allocUnsafe(INITIAL_CAPACITY);
  private position = 0;
  private tuples = 0;

  /** Tuples encoded since the last `take()`. */
  get pending(): number {
    return this.tuples;
  }

  /** Bytes encoded since the last `take()`. */
  get size(): number {
    return this.position;
  }

  tuple(fieldCount: number): this {
    this.reserve(2);
    this.buffer.writeInt16BE(fieldCount, this.position);
    this.position += 2;
    this.tuples += 1;
    return this;
  }

  /** int8 (bigint). */
  int8(value: bigint): this {
    this.reserve(12);
    this.buffer.writeInt32BE(8, this.position);
    this.buffer.writeBigInt64BE(value, this.position + 4);
    this.position += 12;
    return this;
  }

  /** int4 (integer). */
  int4(value: number): this {
    this.reserve(8);
    this.buffer.writeInt32BE(4, this.position);
    this.buffer.writeInt32BE(value, this.position + 4);
    this.position += 8;
    return this;
  }

  /** text, as UTF-8. */
  text(value: string): this {
    this.reserve(4 + value.length * 3);
    const length = this.buffer.write(value, this.position + 4, 'utf8');
    this.buffer.writeInt32BE(length, this.position);
    this.position += 4 + length;
    return this;
  }

  /** bytea. */
  bytes(value: Uint8Array): this {
    this.reserve(4 + value.length);
    this.buffer.writeInt32BE(value.length, this.position);
    this.buffer.set(value, this.position + 4);
    this.position += 4 + value.length;
    return this;
  }

  /** jsonb from the UTF-8 bytes of a JSON document (the server parses them, exactly as `::jsonb` would). */
  jsonb(json: Uint8Array): this {
    this.reserve(5 + json.length);
    this.buffer.writeInt32BE(json.length + 1, this.position);
    this.buffer[this.position + 4] = JSONB_VERSION;
    this.buffer.set(json, this.position + 5);
    this.position += 5 + json.length;
    return this;
  }

  /** timestamptz from Unix microseconds (UTC). */
  timestamptz(unixMicros: bigint): this {
    return this.int8(unixMicros - POSTGRES_EPOCH_MICROS);
  }

  null(): this {
    this.reserve(4);
    this.buffer.writeInt32BE(-1, this.position);
    this.position += 4;
    return this;
  }

  /** The tuples encoded so far (a fresh buffer: safe to hand to a socket), and a clean slate. */
  take(): Buffer {
    const taken = this.buffer.subarray(0, this.position);
    this.buffer = Buffer.allocUnsafe(Math.max(INITIAL_CAPACITY, this.position));
    this.position = 0;
    this.tuples = 0;
    return taken;
  }

  private reserve(bytes: number): void {
    const needed = this.position + bytes;
    if (needed <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
    this.buffer.copy(grown, 0, 0, this.position);
    this.buffer = grown;
  }
}
