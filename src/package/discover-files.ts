/**
 * File discovery, like the reference's `Path.rglob`: a recursive scan of a phase folder for names ending in a
 * case-sensitive suffix. Hidden files and folders are included; symbolic links to folders are not descended
 * into, but a matching symbolic link (or even a folder named `x.json`) is a candidate. Paths are package-relative
 * POSIX paths sorted by code point.
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { compareCodePoints } from '../canonical/index.js';
import { describeFsError } from './resolve-path.js';

export interface Discovery {
  paths: string[];
  /** A folder below the phase folder that could not be listed. */
  unreadable?: { path: string; reason: string };
}

/** Scans `<root>/<folder>` (the folder itself may be a symbolic link); an absent folder yields nothing. */
export async function discoverFiles(rootReal: string, folder: string, suffix: string): Promise<Discovery> {
  const start = path.join(rootReal, folder);
  try {
    if (!(await stat(start)).isDirectory()) return { paths: [] };
  } catch {
    return { paths: [] };
  }
  const paths: string[] = [];
  const pending = [folder];
  while (pending.length > 0) {
    const relative = pending.pop() as string;
    let entries: Dirent[];
    try {
      entries = await readdir(path.join(rootReal, relative), { withFileTypes: true });
    } catch (error) {
      return { paths: [], unreadable: { path: relative, reason: describeFsError(error) } };
    }
    for (const entry of entries) {
      const child = `${relative}/${entry.name}`;
      if (entry.name.endsWith(suffix)) paths.push(child);
      if (entry.isDirectory()) pending.push(child);
    }
  }
  return { paths: paths.sort(compareCodePoints) };
}

/** `ontology/` when it exists (whatever it is), else `ontologies/`, like the reference. */
export async function ontologyFolder(rootReal: string): Promise<string> {
  try {
    await stat(path.join(rootReal, 'ontology'));
    return 'ontology';
  } catch {
    return 'ontologies';
  }
}
