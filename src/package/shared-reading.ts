/**
 * Reading a big package's files on two threads: the planning thread and the importing thread, which has nothing
 * else to do until the first planned objects come. Reading tens of thousands of ~1 KB files is bound by their
 * system calls and hashing, which a second core halves.
 *
 * Both threads claim chunks of one list of files from a shared counter and read (and hash) what they claim
 * exactly as `FileReader` would; the importing thread then hands its reads over, the bytes of each phase folder
 * packed in one transferred buffer (one buffer per file would cost more to transfer than to read; one for all
 * would keep every folder's bytes alive until the last phase is planned), and the planning thread's
 * `FileReader` adopts them. Everything else (content_index verification, the order of problems, the snapshot)
 * stays with the planner, unchanged: it finds each file already read.
 */
import type { Discovery } from './discover-files.js';
import { listedPath } from './discover-files.js';
import { type RawRead, readRegularFile } from './file-reader.js';

/** What both threads share: the files (absolute paths, folder by folder) and the next index to claim. */
export interface ReadShare {
  paths: string[];
  /** The index of each folder's first path in `paths`. */
  folderStarts: number[];
  next: SharedArrayBuffer;
}

/** Files claimed at a time: small enough to balance the threads, big enough to keep the counter cold. */
const CHUNK = 64;

/** The files of the phase folders known to be plain files inside the package (read by path, no resolution). */
export function shareReading(rootReal: string, discoveries: readonly Discovery[]): ReadShare {
  const paths: string[] = [];
  const folderStarts: number[] = [];
  for (const discovery of discoveries) {
    folderStarts.push(paths.length);
    for (const relative of discovery.paths) {
      if (discovery.regular.has(relative)) paths.push(listedPath(rootReal, relative));
    }
  }
  return { paths, folderStarts, next: new SharedArrayBuffer(4) };
}

/** Reads chunks of the shared list until none is left; returns what this thread read, by index in the list. */
export function readClaimed(share: ReadShare): Map<number, RawRead> {
  const next = new Int32Array(share.next);
  const reads = new Map<number, RawRead>();
  for (;;) {
    const start = Atomics.add(next, 0, CHUNK);
    if (start >= share.paths.length) return reads;
    const end = Math.min(start + CHUNK, share.paths.length);
    for (let index = start; index < end; index += 1) {
      reads.set(index, readRegularFile(share.paths[index] as string));
    }
  }
}

/** `readClaimed`'s reads with their paths, as a `FileReader` adopts them. */
export function withPaths(share: ReadShare, reads: Map<number, RawRead>): [string, RawRead][] {
  return [...reads].map(([index, read]) => [share.paths[index] as string, read]);
}

/** One folder's reads, made to cross to another thread: its files' bytes back to back in one buffer. */
export interface PackedReads {
  paths: string[];
  /** Per file, where its bytes end in `bytes` (they start where the previous file's end). */
  ends: Int32Array;
  /** Per file, its raw hash, or why it could not be read. */
  outcomes: ({ rawHash: string } | { reason: string })[];
  bytes: ArrayBuffer;
}

/** Packs reads folder by folder (see the top of this file). */
export function packByFolder(share: ReadShare, reads: Map<number, RawRead>): PackedReads[] {
  const indexes = [...reads.keys()].sort((a, b) => a - b);
  const bounds = [...share.folderStarts, share.paths.length];
  const packed: PackedReads[] = [];
  for (let folder = 0; folder + 1 < bounds.length; folder += 1) {
    const [from, to] = [bounds[folder] as number, bounds[folder + 1] as number];
    const members = indexes.filter((index) => index >= from && index < to);
    if (members.length > 0) packed.push(pack(share, members, reads));
  }
  return packed;
}

function pack(share: ReadShare, indexes: number[], reads: Map<number, RawRead>): PackedReads {
  const chosen = indexes.map((index) => reads.get(index) as RawRead);
  const size = chosen.reduce((sum, read) => sum + (read.ok ? read.bytes.length : 0), 0);
  const bytes = Buffer.allocUnsafeSlow(size);
  const ends = new Int32Array(chosen.length);
  let at = 0;
  chosen.forEach((read, position) => {
    if (read.ok) at += read.bytes.copy(bytes, at);
    ends[position] = at;
  });
  return {
    paths: indexes.map((index) => share.paths[index] as string),
    ends,
    outcomes: chosen.map((read) => (read.ok ? { rawHash: read.rawHash } : { reason: read.reason })),
    bytes: bytes.buffer as ArrayBuffer,
  };
}

/** The reads of a folder packed on another thread, each file's bytes a view into the folder's buffer. */
export function unpack({ paths, ends, outcomes, bytes }: PackedReads): [string, RawRead][] {
  let start = 0;
  return paths.map((absolute, position) => {
    const end = ends[position] as number;
    const outcome = outcomes[position] as PackedReads['outcomes'][number];
    const read: RawRead =
      'rawHash' in outcome
        ? { ok: true, bytes: Buffer.from(bytes, start, end - start), rawHash: outcome.rawHash }
        : { ok: false, reason: outcome.reason };
    start = end;
    return [absolute, read];
  });
}
