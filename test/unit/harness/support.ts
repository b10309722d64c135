/** Temporary folders, file-tree hashes and the sample package for the harness tests. */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256Hex } from '../../../src/canonical/index.js';

export const LIGHTHOUSE_DIR = fileURLToPath(
  new URL('../../../fixtures/packages/lighthouse/', import.meta.url),
);

const created: string[] = [];

/** A fresh temporary folder (removed by `removeTempDirs`). */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'chronicle-harness-'));
  created.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** Every file under `dir`: package-relative POSIX path → SHA-256 of its bytes, in path order. */
export function treeHashes(dir: string): Map<string, string> {
  const paths = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
  return new Map(paths.map((path) => [path, sha256Hex(readFileSync(join(dir, path)))]));
}
