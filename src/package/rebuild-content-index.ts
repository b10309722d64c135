/**
 * The authoring side of content_index: the index a package's files call for, compared with the one its manifest
 * holds, and the manifest rewritten with it. Listed: every file the import reads (the phase folders' files),
 * `README.md` at the root, and every file already listed that is still there; each with the SHA-256 of its raw
 * bytes, as the import checks them. A file that the import would refuse under that hash (a phase's file that is not
 * LF-only NFC UTF-8 text, or any unreadable file) is a problem, and so is a manifest the import would refuse:
 * nothing is written.
 */
import { existsSync, lstatSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  compareCodePoints,
  isJsonObject,
  type JsonObject,
  JsonSyntaxError,
  parseJson,
} from '../canonical/index.js';
import { prettyJson } from '../canonical/pretty-json.js';
import { PackageRejectedError } from '../errors.js';
import { DEFAULT_PLAN_OPTIONS } from '../phases/types.js';
import { decodeText, InvalidUtf8Error } from './decode-text.js';
import { listedPath } from './discover-files.js';
import { FileReader } from './file-reader.js';
import { checkManifest, MANIFEST_FILE } from './read-manifest.js';
import { listPackage, problemsError } from './read-package.js';
import { describeFsError, resolveInside } from './resolve-path.js';
import { type FileProblem, normalizationDefect } from './verify-content-index.js';

const README = 'README.md';

export interface IndexRebuild {
  /** The package's real root. */
  root: string;
  /** Paths listed now and not before. */
  added: string[];
  /** Paths listed before whose bytes changed. */
  updated: string[];
  /** Paths listed before that are gone (or no longer a readable file inside the package), and why. */
  removed: { path: string; reason: string }[];
  /** Paths in the new index. */
  listed: number;
  /** The manifest with the new content_index (two-space JSON, paths in code-point order, other members kept). */
  manifestText: string;
}

export function isStale(rebuild: IndexRebuild): boolean {
  return rebuild.added.length + rebuild.updated.length + rebuild.removed.length > 0;
}

/** Works out the content_index the package's files call for; throws when a file cannot be listed. */
export function rebuildContentIndex(dir: string): IndexRebuild {
  const listing = listPackage(dir, DEFAULT_PLAN_OPTIONS);
  const root = listing.rootReal;
  const manifest = readManifestObject(root);
  const previous = previousIndex(manifest);
  const reader = new FileReader(true);
  const index = new Map<string, string>();
  const problems: FileProblem[] = [];

  const candidates = new Map<string, string | null>();
  for (const discovery of listing.discoveries) {
    if (discovery.unreadable) {
      const { path: where, reason } = discovery.unreadable;
      problems.push({
        code: 'package.read_error',
        file: where,
        message: `${where}: cannot be read (${reason})`,
      });
    }
    for (const file of discovery.paths) {
      candidates.set(file, discovery.regular.has(file) ? listedPath(root, file) : null);
    }
  }
  const readme = resolveInside(root, README);
  if (readme.kind === 'inside' && reader.read(readme.absolute).ok) candidates.set(README, readme.absolute);

  for (const [file, known] of [...candidates].sort(([a], [b]) => compareCodePoints(a, b))) {
    const where = known ? { kind: 'inside' as const, absolute: known } : resolveInside(root, file);
    if (where.kind !== 'inside') {
      problems.push({
        code: where.kind === 'outside' ? 'package.path_escape' : 'package.read_error',
        file,
        message: `${file}: ${where.kind === 'outside' ? 'resolves outside the package directory' : `cannot be read (${where.reason})`}`,
      });
      continue;
    }
    const read = reader.read(where.absolute);
    if (!read.ok) {
      // Said as the import says it (an editor's lock file `.#x.json` is a link to nowhere).
      const reason = !known && isBrokenLink(path.join(root, file)) ? 'broken symbolic link' : read.reason;
      problems.push({
        code: 'package.read_error',
        file,
        message: `${file}: cannot be read (${reason})`,
      });
      continue;
    }
    // The phases hash their files' LF-only NFC text against the index; README.md is checked by its raw hash alone.
    const defect = file === README ? undefined : normalizationDefect(read.bytes);
    if (defect) {
      problems.push({
        code: 'package.not_normalized',
        file,
        message: `${file}: ${defect}; the import hashes it as LF-only NFC text, so its listed hash could never match`,
      });
      continue;
    }
    index.set(file, read.rawHash);
  }
  if (problems.length > 0) throw problemsError('manifest', problems, { package_dir: path.basename(root) });

  const removed: IndexRebuild['removed'] = [];
  for (const file of [...previous.keys()].sort(compareCodePoints)) {
    if (index.has(file)) continue;
    const where = resolveInside(root, file);
    const read = where.kind === 'inside' ? reader.read(where.absolute) : null;
    if (read?.ok) index.set(file, read.rawHash);
    else {
      removed.push({
        path: file,
        reason:
          where.kind === 'outside'
            ? 'outside the package'
            : read && !read.ok
              ? read.reason
              : 'cannot be read',
      });
    }
  }
  const paths = [...index.keys()].sort(compareCodePoints);
  manifest.content_index = Object.fromEntries(paths.map((file) => [file, index.get(file) as string]));
  // A manifest the import would refuse is not written (e.g. a file name with a line break cannot be listed).
  checkManifest(manifest, false);
  return {
    root,
    added: paths.filter((file) => !previous.has(file)),
    updated: paths.filter((file) => previous.has(file) && previous.get(file) !== index.get(file)),
    removed,
    listed: paths.length,
    manifestText: prettyJson(manifest),
  };
}

/** Replaces the manifest with the rebuilt one (written beside it, then renamed over it). */
export function writeRebuiltManifest(rebuild: IndexRebuild): void {
  const target = path.join(rebuild.root, MANIFEST_FILE);
  const partial = `${target}.partial`;
  writeFileSync(partial, rebuild.manifestText);
  renameSync(partial, target);
}

/** The manifest as a JSON object; anything else is refused as the import would refuse it. */
function readManifestObject(root: string): JsonObject {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path.join(root, MANIFEST_FILE));
  } catch (error) {
    throw new PackageRejectedError(
      'manifest',
      'manifest.not_found',
      `${MANIFEST_FILE}: cannot be read (${describeFsError(error)})`,
      { file: MANIFEST_FILE },
    );
  }
  let value: unknown;
  try {
    value = parseJson(decodeText(bytes, { nfc: false }).text);
  } catch (error) {
    if (!(error instanceof JsonSyntaxError || error instanceof InvalidUtf8Error)) throw error;
    throw new PackageRejectedError(
      'manifest',
      'manifest.invalid_json',
      `${MANIFEST_FILE}: not valid JSON: ${error.message}`,
      { file: MANIFEST_FILE },
    );
  }
  if (!isJsonObject(value)) {
    throw new PackageRejectedError(
      'manifest',
      'manifest.schema',
      `${MANIFEST_FILE}: must hold one JSON object`,
      {
        file: MANIFEST_FILE,
      },
    );
  }
  return value;
}

/** The manifest's current content_index entries (none when it has no such object). */
function previousIndex(manifest: JsonObject): Map<string, string> {
  const index = manifest.content_index;
  const entries = new Map<string, string>();
  if (!isJsonObject(index)) return entries;
  for (const key of Object.keys(index)) {
    const value = index[key];
    entries.set(key, typeof value === 'string' ? value : '');
  }
  return entries;
}

function isBrokenLink(absolute: string): boolean {
  return lstatSync(absolute, { throwIfNoEntry: false })?.isSymbolicLink() === true && !existsSync(absolute);
}
