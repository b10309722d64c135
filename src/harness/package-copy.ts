/**
 * A copied package that a corruption scenario edits: its files in code-point order, reads and writes by
 * package-relative path, and its manifest's content_index kept in step when a scenario asks for it.
 *
 * Every path is resolved (links followed) and must stay inside the copy: a scenario cannot reach the source or
 * anything else outside --out, whatever content_index lists (`../x`) or the package's links point at. A file a
 * scenario changes is replaced, never written through: a link there becomes a regular file, and the file the
 * link pointed at keeps its bytes, so that the scenario's change is the only one.
 */
import { readFileSync, type Stats } from 'node:fs';
import { access, realpath, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { compareCodePoints, sha256Hex } from '../canonical/index.js';
import { UsageError } from '../errors.js';
import { discoverFiles, ontologyFolder } from '../package/discover-files.js';
import { isInside, resolveInside } from '../package/resolve-path.js';
import { jsonText, MANIFEST_FILE, sortedIndex } from './package-writer.js';

export class PackageCopy {
  private constructor(
    private readonly root: string,
    private readonly manifest: Record<string, unknown>,
    private readonly index: Map<string, string>,
  ) {}

  /** Opens the copy at `dir`; `label` names the package in messages (the directory the user gave). */
  static async open(dir: string, label: string): Promise<PackageCopy> {
    const root = await realpath(dir);
    const manifest = parseObject(readFileSync(resolved(root, MANIFEST_FILE), 'utf8'));
    const contentIndex = manifest?.content_index;
    if (!manifest || !isObject(contentIndex)) {
      throw new UsageError(
        `${label}: ${MANIFEST_FILE} is not a JSON object with a content_index; start from a valid package`,
        {
          file: MANIFEST_FILE,
        },
      );
    }
    const index = new Map(Object.entries(contentIndex).map(([key, hash]) => [key, String(hash)]));
    return new PackageCopy(root, manifest, index);
  }

  /** content_index keys in code-point order. */
  listedPaths(): string[] {
    return [...this.index.keys()].sort(compareCodePoints);
  }

  /** `folder/**` files ending in `suffix`, in code-point order (the planner's discovery). */
  async files(folder: string, suffix: string): Promise<string[]> {
    return discoverFiles(this.root, folder, suffix).paths;
  }

  /** `ontology`, or `ontologies` when `ontology` does not exist (as the planner chooses). */
  async ontologyFolder(): Promise<string> {
    return ontologyFolder(this.root);
  }

  async exists(relativePath: string): Promise<boolean> {
    const absolute = resolved(this.root, relativePath);
    try {
      await access(absolute);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Whether a path content_index lists is a file of the copy (false when absent). Anything else there, a folder
   * say, is refused: planning rejects the source for it (package.read_error), so it is no valid package to break.
   */
  async hasListedFile(relativePath: string): Promise<boolean> {
    const absolute = resolved(this.root, relativePath);
    let stats: Stats;
    try {
      stats = await stat(absolute);
    } catch {
      return false;
    }
    if (stats.isFile()) return true;
    const what = stats.isDirectory() ? 'a folder' : 'not a regular file';
    throw new UsageError(
      `${relativePath}: listed in content_index but is ${what}; start from a valid package`,
      { file: relativePath },
    );
  }

  readText(relativePath: string): string {
    return readFileSync(resolved(this.root, relativePath), 'utf8');
  }

  readBytes(relativePath: string): Buffer {
    return readFileSync(resolved(this.root, relativePath));
  }

  /** Overwrites a file, content_index untouched (the listed hash goes stale). */
  async writeBytesUnlisted(relativePath: string, bytes: Uint8Array): Promise<void> {
    await this.replace(relativePath, bytes);
  }

  /** Writes a file and lists it in content_index with the SHA-256 of its bytes. */
  async writeListed(relativePath: string, text: string): Promise<void> {
    const bytes = Buffer.from(text, 'utf8');
    await this.replace(relativePath, bytes);
    this.index.set(relativePath, sha256Hex(bytes));
    await this.replace(
      MANIFEST_FILE,
      Buffer.from(jsonText({ ...this.manifest, content_index: sortedIndex(this.index) }), 'utf8'),
    );
  }

  /** Like `writeListed` for a file that must not exist yet. */
  async addListed(relativePath: string, text: string): Promise<void> {
    if (await this.exists(relativePath)) {
      throw new UsageError(`${relativePath} already exists in the package; the scenario would overwrite it`, {
        file: relativePath,
      });
    }
    await this.writeListed(relativePath, text);
  }

  /** Removes the entry itself: a link, not the file it points at. */
  async remove(relativePath: string): Promise<void> {
    await rm(this.entry(relativePath));
  }

  /** Puts a new file holding `bytes` at `relativePath`, in place of whatever file or link was there. */
  private async replace(relativePath: string, bytes: Uint8Array): Promise<void> {
    const at = this.entry(relativePath);
    await rm(at, { force: true });
    // `wx`: should anything appear there meanwhile, fail rather than write through it.
    await writeFile(at, bytes, { flag: 'wx' });
  }

  /** The absolute path of the entry `relativePath` names (its last component not followed), inside the copy. */
  private entry(relativePath: string): string {
    // What the path leads to must be in the copy too: a link out of the package is refused, not replaced.
    resolved(this.root, relativePath);
    const at = path.join(
      resolved(this.root, path.posix.dirname(relativePath)),
      path.posix.basename(relativePath),
    );
    if (at === this.root || !isInside(this.root, at)) throw outside(relativePath);
    return at;
  }
}

/** Where `relativePath` leads, links followed; refuses a path that leaves the package at `root` (a real path). */
function resolved(root: string, relativePath: string): string {
  const where = resolveInside(root, relativePath);
  if (where.kind === 'inside') return where.absolute;
  throw where.kind === 'outside'
    ? outside(relativePath)
    : new UsageError(`${relativePath}: cannot be resolved (${where.reason}); start from a valid package`, {
        file: relativePath,
      });
}

function outside(relativePath: string): UsageError {
  return new UsageError(`${relativePath}: resolves outside the package; start from a valid package`, {
    file: relativePath,
  });
}

export function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
