/**
 * Hashes many files on two threads: a rerun of a package of tens of thousands of small files is bound by their
 * system calls (open, fstat, read, close), and a second core halves that.
 *
 * Both threads claim chunks of the file list from one shared counter and write each file's SHA-256 into shared
 * memory. Only regular files (not links) read whole count. The worker is plain JavaScript evaluated from a string, so that it runs the same from
 * the TypeScript sources (tests) and the build.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

/** Below this many files a thread costs more than it saves. */
export const PARALLEL_HASH_MIN_FILES = 1024;

const DIGEST_BYTES = 32;
/** A file's status: 0 not done (yet), 1 hashed, 2 not a regular file or not readable. */
const HASHED = 1;

/**
 * The per-file work, shared verbatim by both threads: the worker gets this function's source, so it uses no
 * module-level names (chunks of 64 files, 32-byte digests, the statuses above are spelled out).
 */
function hashClaimedFiles(
  paths: readonly string[],
  shared: { next: Int32Array; status: Uint8Array; digests: Uint8Array },
  io: {
    openSync: typeof openSync;
    fstatSync: typeof fstatSync;
    readSync: typeof readSync;
    closeSync: typeof closeSync;
    createHash: typeof createHash;
    flags: number;
  },
): void {
  const buffer = Buffer.allocUnsafe(256 * 1024);
  for (;;) {
    const start = Atomics.add(shared.next, 0, 64);
    if (start >= paths.length) return;
    const end = Math.min(start + 64, paths.length);
    for (let index = start; index < end; index += 1) {
      let fd = -1;
      let hashed = false;
      try {
        fd = io.openSync(paths[index] as string, io.flags);
        const stat = io.fstatSync(fd);
        if (stat.isFile()) {
          const hash = io.createHash('sha256');
          let total = 0;
          for (;;) {
            const read = io.readSync(fd, buffer, 0, buffer.length, null);
            if (read === 0) break;
            hash.update(buffer.subarray(0, read));
            total += read;
            // As big as fstat said, the buffer not filled: at its end, without a last read returning 0.
            if (total === stat.size && read < buffer.length) break;
          }
          shared.digests.set(hash.digest(), index * 32);
          hashed = true;
        }
      } catch {
        hashed = false;
      } finally {
        if (fd >= 0) io.closeSync(fd);
      }
      shared.status[index] = hashed ? 1 : 2;
    }
  }
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, fstatSync, readSync, closeSync } = require('node:fs');
const { createHash } = require('node:crypto');
const hashClaimedFiles = ${hashClaimedFiles.toString()};
const { paths, next, status, digests, flags } = workerData;
hashClaimedFiles(paths, { next: new Int32Array(next), status: new Uint8Array(status), digests: new Uint8Array(digests) },
  { openSync, fstatSync, readSync, closeSync, createHash, flags });
parentPort.postMessage('done');
`;

const IO = {
  openSync,
  fstatSync,
  readSync,
  closeSync,
  createHash,
  flags: constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW,
};

/** Files being hashed; `finish` helps with what is left and returns the results. */
export interface HashJob {
  /** SHA-256 (hex) per path; `undefined` for anything but a regular file (not a link) read whole. */
  finish(): Promise<(string | undefined)[]>;
}

/**
 * Starts hashing `paths` (absolute): on a worker thread at once for `PARALLEL_HASH_MIN_FILES` files or more,
 * while this thread goes on with other work until it calls `finish`.
 */
export function startHashing(paths: readonly string[]): HashJob {
  const next = new SharedArrayBuffer(4);
  const status = new SharedArrayBuffer(paths.length);
  const digests = new SharedArrayBuffer(paths.length * DIGEST_BYTES);
  const shared = {
    next: new Int32Array(next),
    status: new Uint8Array(status),
    digests: new Uint8Array(digests),
  };
  let workerDone: Promise<void> = Promise.resolve();
  if (paths.length >= PARALLEL_HASH_MIN_FILES) {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { paths, next, status, digests, flags: IO.flags },
    });
    worker.unref();
    // A worker that dies (it should not) only leaves the files it claimed unhashed.
    workerDone = new Promise<void>((resolve) => {
      worker.once('message', () => resolve());
      worker.once('error', () => resolve());
      worker.once('exit', () => resolve());
    });
  }
  return {
    async finish() {
      hashClaimedFiles(paths, shared, IO);
      await workerDone;
      return paths.map((_path, index) =>
        Atomics.load(shared.status, index) === HASHED
          ? Buffer.from(digests, index * DIGEST_BYTES, DIGEST_BYTES).toString('hex')
          : undefined,
      );
    },
  };
}
