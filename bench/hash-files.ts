/**
 * The floor for a rerun: list every file of the package and SHA-256 its bytes, nothing else (no parsing, no
 * path checks). Files are read synchronously one after the other: for packages of many ~1 KB files that is
 * several times faster than `fs/promises` with any concurrency (each async read costs four thread-pool
 * round trips), so this is the honest floor.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Returns how many files and bytes were hashed. */
export function hashFiles(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const pending = [dir];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    for (const entry of readdirSync(next, { withFileTypes: true })) {
      const path = join(next, entry.name);
      if (entry.isDirectory()) {
        pending.push(path);
      } else if (entry.isFile()) {
        const content = readFileSync(path);
        createHash('sha256').update(content).digest();
        files += 1;
        bytes += content.length;
      }
    }
  }
  return { files, bytes };
}
