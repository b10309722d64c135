/**
 * A copied package that a corruption scenario edits: its files in code-point order, reads and writes by
 * package-relative path, and its manifest's content_index kept in step when a scenario asks for it.
 */
import { readFileSync } from 'node:fs';
import { access, realpath, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { compareCodePoints, sha256Hex } from '../canonical/index.js';
import { UsageError } from '../errors.js';
import { discoverFiles, ontologyFolder } from '../package/discover-files.js';
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
    const manifest = parseObject(readFileSync(path.join(root, MANIFEST_FILE), 'utf8'));
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
    try {
      await access(this.absolute(relativePath));
      return true;
    } catch {
      return false;
    }
  }

  readText(relativePath: string): string {
    return readFileSync(this.absolute(relativePath), 'utf8');
  }

  readBytes(relativePath: string): Buffer {
    return readFileSync(this.absolute(relativePath));
  }

  /** Overwrites a file, content_index untouched (the listed hash goes stale). */
  async writeBytesUnlisted(relativePath: string, bytes: Uint8Array): Promise<void> {
    await writeFile(this.absolute(relativePath), bytes);
  }

  /** Writes a file and lists it in content_index with the SHA-256 of its bytes. */
  async writeListed(relativePath: string, text: string): Promise<void> {
    const bytes = Buffer.from(text, 'utf8');
    await writeFile(this.absolute(relativePath), bytes);
    this.index.set(relativePath, sha256Hex(bytes));
    await writeFile(
      this.absolute(MANIFEST_FILE),
      jsonText({ ...this.manifest, content_index: sortedIndex(this.index) }),
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

  async remove(relativePath: string): Promise<void> {
    await rm(this.absolute(relativePath));
  }

  private absolute(relativePath: string): string {
    return path.join(this.root, relativePath);
  }
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
