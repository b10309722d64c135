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

/** Four system calls: open (non-blocking, so that a FIFO cannot hang it), fstat, read, close. */
export function readRegularFile(absolute: string): RawRead {
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
    const bytes = readAll(fd, info.size);
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
function readAll(fd: number, size: number): Buffer {
  const full: Buffer[] = [];
  let buffer = Buffer.allocUnsafe(size + 1);
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
  return full.length === 0 ? last : Buffer.concat([...full, last]);
}
