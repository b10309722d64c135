/**
 * Reads package files at most once each (keyed by resolved absolute path) and hashes their raw bytes once.
 * Only regular files are read: a directory, FIFO or device is a read error, never a hang.
 *
 * Reads are synchronous on purpose: packages are tens of thousands of ~1 KB files, and one `readFileSync` costs
 * a fraction of the four thread-pool round trips of an asynchronous `readFile` (open, stat, read, close), at any
 * concurrency (measured in `bench/`: the no-op rerun is bound by this). A big import reads on two threads (see
 * shared-reading.ts), each synchronously.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { sha256Hex } from '../canonical/index.js';
import { describeFsError } from './resolve-path.js';

export type RawRead = { ok: true; bytes: Buffer; rawHash: string } | { ok: false; reason: string };

const NO_BYTES = Buffer.alloc(0);

export class FileReader {
  private readonly cache = new Map<string, RawRead>();

  /** `keepBytes: false`: a file's bytes are returned by its first read only; later reads get its hash alone. */
  constructor(private readonly keepBytes = true) {}

  read(absolute: string): RawRead {
    const cached = this.cache.get(absolute);
    if (cached) return cached;
    const result = readRegularFile(absolute);
    this.cache.set(absolute, this.keepBytes || !result.ok ? result : { ...result, bytes: NO_BYTES });
    return result;
  }

  /** Files read beforehand (e.g. on another thread) by `readRegularFile`: later reads of them are answered here. */
  adopt(reads: Iterable<readonly [absolute: string, read: RawRead]>): void {
    for (const [absolute, read] of reads) this.cache.set(absolute, read);
  }
}

/**
 * Blocks that reads may fill back to back (see shared-reading.ts): one buffer per file would have to be copied
 * into one to cross to another thread.
 */
export class ReadBlocks {
  readonly buffers: Buffer[] = [];
  private used = 0;

  constructor(private readonly blockSize = 1 << 20) {}

  /** `size` free bytes at the end of the last block (a new block when they do not fit). */
  space(size: number): Buffer {
    let last = this.buffers.at(-1);
    if (!last || last.length - this.used < size) {
      last = Buffer.allocUnsafeSlow(Math.max(size, this.blockSize));
      this.buffers.push(last);
      this.used = 0;
    }
    return last.subarray(this.used, this.used + size);
  }

  /** The first `length` bytes of the last `space` are kept. */
  keep(length: number): void {
    this.used += length;
  }

  /** `bytes` in the last block: where they already are (read there), else copied in. */
  place(bytes: Buffer): { block: number; start: number } {
    const last = this.buffers.at(-1);
    if (last && bytes.buffer === last.buffer && bytes.byteOffset + bytes.length === this.used) {
      return { block: this.buffers.length - 1, start: bytes.byteOffset };
    }
    bytes.copy(this.space(bytes.length));
    this.keep(bytes.length);
    return { block: this.buffers.length - 1, start: this.used - bytes.length };
  }
}

/**
 * Four system calls: open (non-blocking, so that a FIFO cannot hang it), fstat, read, close. `into`: the bytes go
 * into the last of those blocks (unless the file grows while it is read).
 */
export function readRegularFile(absolute: string, into?: ReadBlocks): RawRead {
  let fd: number;
  try {
    fd = openSync(absolute, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return { ok: false, reason: describeFsError(error) };
  }
  try {
    const info = fstatSync(fd);
    if (info.isDirectory()) return { ok: false, reason: 'is a directory' };
    if (!info.isFile()) return { ok: false, reason: 'not a regular file' };
    const bytes = readAll(fd, info.size, into);
    return { ok: true, bytes, rawHash: sha256Hex(bytes) };
  } catch (error) {
    return { ok: false, reason: describeFsError(error) };
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads to the end of the file, `size` being what fstat said: one buffer of `size + 1` bytes, filled from where
 * the last read stopped (a file that grows meanwhile is read whole, and no read overwrites bytes already read).
 * A file that turns out as big as fstat said, with the extra byte not filled, is at its end: it is read in one
 * system call, not two (the second returning 0), as a package is tens of thousands of small files.
 */
function readAll(fd: number, size: number, into?: ReadBlocks): Buffer {
  const full: Buffer[] = [];
  let buffer = into ? into.space(size + 1) : Buffer.allocUnsafe(size + 1);
  let filled = 0;
  for (;;) {
    const read = readSync(fd, buffer, filled, buffer.length - filled, null);
    if (read === 0) break;
    filled += read;
    if (full.length === 0 && filled === size) break;
    if (filled < buffer.length) continue;
    full.push(buffer);
    buffer = Buffer.allocUnsafe(64 * 1024);
    filled = 0;
  }
  const last = buffer.subarray(0, filled);
  if (full.length > 0) return Buffer.concat([...full, last]);
  into?.keep(filled);
  return last;
}
