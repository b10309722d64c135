/**
 * File discovery, like the reference's `Path.rglob`: a recursive scan of a phase folder for names ending in a
 * case-sensitive suffix. Hidden files and folders are included; symbolic links to folders are not descended
 * into, but a matching symbolic link (or even a folder named `x.json`) is a candidate. Paths are package-relative
 * POSIX paths sorted by code point.
 */
import { type Dirent, readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { compareCodePoints } from '../canonical/index.js';
import { describeFsError, isInside } from './resolve-path.js';

export interface Discovery {
  paths: string[];
  /**
   * Paths known to be regular files inside the package: found as plain files (not links) below a phase folder
   * whose real path is inside the root. They need no per-file path resolution or type check.
   */
  regular: ReadonlySet<string>;
  /** A folder below the phase folder that could not be listed. */
  unreadable?: { path: string; reason: string };
}

/** Scans `<root>/<folder>` (the folder itself may be a symbolic link); an absent folder yields nothing. */
export function discoverFiles(rootReal: string, folder: string, suffix: string): Discovery {
  const start = path.join(rootReal, folder);
  let trusted: boolean;
  try {
    if (!statSync(start).isDirectory()) return { paths: [], regular: new Set() };
    trusted = isInside(rootReal, realpathSync.native(start));
  } catch {
    return { paths: [], regular: new Set() };
  }
  const paths: string[] = [];
  const regular = new Set<string>();
  const pending = [folder];
  while (pending.length > 0) {
    const relative = pending.pop() as string;
    let entries: Dirent[];
    try {
      entries = readdirSync(path.join(rootReal, relative), { withFileTypes: true });
    } catch (error) {
      return { paths: [], regular, unreadable: { path: relative, reason: describeFsError(error) } };
    }
    for (const entry of entries) {
      const child = `${relative}/${entry.name}`;
      if (entry.name.endsWith(suffix)) {
        paths.push(child);
        if (trusted && entry.isFile()) regular.add(child);
      }
      if (entry.isDirectory()) pending.push(child);
    }
  }
  return { paths: paths.sort(compareCodePoints), regular };
}

/**
 * The absolute path of a file a listing found (`regular`): plain concatenation, as its segments are names read
 * from directories (never empty, `.`, `..` or holding `/`), and far cheaper than `path.join` for 10^5 files.
 */
export function listedPath(rootReal: string, relative: string): string {
  return rootReal.endsWith('/') ? rootReal + relative : `${rootReal}/${relative}`;
}

/** `ontology/` when it exists (whatever it is), else `ontologies/`, like the reference. */
export function ontologyFolder(rootReal: string): string {
  try {
    statSync(path.join(rootReal, 'ontology'));
    return 'ontology';
  } catch {
    return 'ontologies';
  }
}
