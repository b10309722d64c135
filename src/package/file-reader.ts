/**
 * Reads package files at most once each (keyed by resolved absolute path), a few at a time, and hashes their
 * raw bytes once. Only regular files are read: a directory, FIFO or device is a read error, never a hang.
 */
import { readFile, stat } from 'node:fs/promises';
import { sha256Hex } from '../canonical/index.js';
import { createLimiter } from './limiter.js';
import { describeFsError } from './resolve-path.js';

export type RawRead = { ok: true; bytes: Buffer; rawHash: string } | { ok: false; reason: string };

const CONCURRENCY = 8;

export class FileReader {
  private readonly cache = new Map<string, Promise<RawRead>>();
  private readonly limit = createLimiter(CONCURRENCY);

  /** `knownRegular`: the caller saw a regular file in its directory listing, so no type check is needed. */
  read(absolute: string, options: { knownRegular?: boolean } = {}): Promise<RawRead> {
    let pending = this.cache.get(absolute);
    if (!pending) {
      pending = this.limit(() => (options.knownRegular ? readKnownFile(absolute) : readRegularFile(absolute)));
      this.cache.set(absolute, pending);
    }
    return pending;
  }
}

async function readKnownFile(absolute: string): Promise<RawRead> {
  try {
    const bytes = await readFile(absolute);
    return { ok: true, bytes, rawHash: sha256Hex(bytes) };
  } catch (error) {
    return { ok: false, reason: describeFsError(error) };
  }
}

async function readRegularFile(absolute: string): Promise<RawRead> {
  try {
    const info = await stat(absolute);
    if (info.isDirectory()) return { ok: false, reason: 'is a directory' };
    if (!info.isFile()) return { ok: false, reason: 'not a regular file' };
    const bytes = await readFile(absolute);
    return { ok: true, bytes, rawHash: sha256Hex(bytes) };
  } catch (error) {
    return { ok: false, reason: describeFsError(error) };
  }
}
