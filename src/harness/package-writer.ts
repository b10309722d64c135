/**
 * Writes package files one at a time (nothing is kept but each file's raw hash) and finally the manifest,
 * whose content_index lists every file written, sorted by code point.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { compareCodePoints, sha256Hex } from '../canonical/index.js';

export const MANIFEST_FILE = 'package.manifest.json';

export class PackageWriter {
  private readonly hashes = new Map<string, string>();
  private readonly madeDirs = new Set<string>();

  constructor(private readonly root: string) {}

  /** Writes LF, NFC text (the caller's duty) as UTF-8 and records its raw SHA-256 for content_index. */
  writeText(relativePath: string, text: string): void {
    const bytes = Buffer.from(text, 'utf8');
    const absolute = path.join(this.root, relativePath);
    const dir = path.dirname(absolute);
    if (!this.madeDirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.madeDirs.add(dir);
    }
    writeFileSync(absolute, bytes);
    this.hashes.set(relativePath, sha256Hex(bytes));
  }

  /** Two-space indented JSON with a final newline, keys in the order given. */
  writeJson(relativePath: string, value: unknown): void {
    this.writeText(relativePath, jsonText(value));
  }

  /** Writes the manifest; `content_index` (placed where the caller put the key) lists every file written. */
  writeManifest(fields: Record<string, unknown>): void {
    const manifest = { ...fields, content_index: sortedIndex(this.hashes) };
    writeFileSync(path.join(this.root, MANIFEST_FILE), jsonText(manifest));
  }

  /** Files written so far, the manifest aside (each one is listed in content_index). */
  get listedFiles(): number {
    return this.hashes.size;
  }
}

export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** A content_index object with its paths in code-point order. */
export function sortedIndex(hashes: ReadonlyMap<string, string>): Record<string, string> {
  const index: Record<string, string> = {};
  for (const key of [...hashes.keys()].sort(compareCodePoints)) index[key] = hashes.get(key) as string;
  return index;
}
