/**
 * Reading a big package's files on two threads: the planning thread and the importing thread, which has nothing
 * else to do until the first planned objects come. Reading tens of thousands of ~1 KB files is bound by their
 * system calls and hashing, which a second core halves.
 *
 * Both threads claim chunks of one list of files from a shared counter and read (and hash) what they claim
 * exactly as `FileReader` would; the importing thread reads each phase folder's files back to back into blocks of
 * that folder's own and hands them over, transferred (one buffer per file would cost more to transfer than to read,
 * and copying them into one cost ~0.25 s of the 200k-object benchmark package; one set of blocks for all folders
 * would keep every folder's bytes alive until the last phase is planned), and the planning thread's
 * `FileReader` adopts them. Everything else (content_index verification, the order of problems, the snapshot)
 * stays with the planner, unchanged: it finds each file already read.
 */
import type { Discovery } from './discover-files.js';
import { listedPath } from './discover-files.js';
import { type RawRead, ReadBlocks, readRegularFile } from './file-reader.js';

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

/** Calls `visit` for every index this thread claims, chunk by chunk, until none is left (indexes only grow). */
function forEachClaimed(share: ReadShare, visit: (index: number) => void): void {
  const next = new Int32Array(share.next);
  for (;;) {
    const start = Atomics.add(next, 0, CHUNK);
    if (start >= share.paths.length) return;
    const end = Math.min(start + CHUNK, share.paths.length);
    for (let index = start; index < end; index += 1) visit(index);
  }
}

/** Reads chunks of the shared list until none is left; returns what this thread read, by index in the list. */
export function readClaimed(share: ReadShare): Map<number, RawRead> {
  const reads = new Map<number, RawRead>();
  forEachClaimed(share, (index) => reads.set(index, readRegularFile(share.paths[index] as string)));
  return reads;
}

/** `readClaimed`'s reads with their paths, as a `FileReader` adopts them. */
export function withPaths(share: ReadShare, reads: Map<number, RawRead>): [string, RawRead][] {
  return [...reads].map(([index, read]) => [share.paths[index] as string, read]);
}

/** One folder's reads, made to cross to another thread: its files' bytes back to back in blocks of its own. */
export interface PackedReads {
  /** Per file, its index in the share's list. */
  indexes: Int32Array;
  /** Per file, three numbers: its block, where its bytes start in it and where they end. */
  places: Int32Array;
  /** Per file, its raw hash: 64 hex characters each, back to back (a file that could not be read: spaces). */
  hashes: string;
  /** Why the files that could not be read could not, by their position in `indexes`. */
  failures: Map<number, string>;
  blocks: ArrayBuffer[];
}

const NO_HASH = ' '.repeat(64);

/** Reads folder by folder, as the folder's bytes are to cross: one folder's bytes in its own blocks. */
class FolderReads {
  private readonly blocks = new ReadBlocks();
  private readonly indexes: number[] = [];
  private readonly places: number[] = [];
  private readonly hashes: string[] = [];
  private readonly failures = new Map<number, string>();

  get count(): number {
    return this.indexes.length;
  }

  read(index: number, absolute: string): void {
    const read = readRegularFile(absolute, this.blocks);
    const position = this.indexes.push(index) - 1;
    if (read.ok) {
      const { block, start } = this.blocks.place(read.bytes);
      this.places.push(block, start, start + read.bytes.length);
      this.hashes.push(read.rawHash);
    } else {
      this.places.push(0, 0, 0);
      this.hashes.push(NO_HASH);
      this.failures.set(position, read.reason);
    }
  }

  packed(): PackedReads {
    return {
      indexes: Int32Array.from(this.indexes),
      places: Int32Array.from(this.places),
      hashes: this.hashes.join(''),
      failures: this.failures,
      blocks: this.blocks.buffers.map((block) => block.buffer as ArrayBuffer),
    };
  }
}

/**
 * Reads chunks of the shared list until none is left, straight into each folder's blocks (see the top of this
 * file): the folders this thread read files of, ready to cross.
 */
export function readClaimedByFolder(share: ReadShare): PackedReads[] {
  const bounds = [...share.folderStarts, share.paths.length];
  const folders = share.folderStarts.map(() => new FolderReads());
  let folder = 0;
  forEachClaimed(share, (index) => {
    while (index >= (bounds[folder + 1] as number)) folder += 1;
    (folders[folder] as FolderReads).read(index, share.paths[index] as string);
  });
  return folders.filter((reads) => reads.count > 0).map((reads) => reads.packed());
}

/** The reads of a folder packed on another thread, each file's bytes a view into the folder's blocks. */
export function unpack(share: ReadShare, packed: PackedReads): [string, RawRead][] {
  const { indexes, places, hashes, failures, blocks } = packed;
  return Array.from(indexes, (index, position) => {
    const absolute = share.paths[index] as string;
    const reason = failures.get(position);
    if (reason !== undefined) return [absolute, { ok: false, reason }];
    const [block, start, end] = places.subarray(3 * position, 3 * position + 3);
    const bytes = Buffer.from(
      blocks[block as number] as ArrayBuffer,
      start,
      (end as number) - (start as number),
    );
    return [absolute, { ok: true, bytes, rawHash: hashes.slice(64 * position, 64 * position + 64) }];
  });
}
