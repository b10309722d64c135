/** The harness writes only into a directory that does not exist yet or is empty: it never overwrites. */
import { realpathSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { makeDirectory } from '../make-directory.js';

/** Creates `outDir` (and its parents) when absent; refuses a file or a non-empty directory. */
export async function prepareOutDir(outDir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(outDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      makeDirectory(outDir);
      return;
    }
    if (code === 'ENOTDIR') {
      const blocker = notADirectory(outDir);
      throw new UsageError(
        blocker === outDir
          ? `output ${outDir} exists and is not a directory`
          : `output ${outDir} cannot be created: ${blocker} is not a directory`,
        { out: outDir },
      );
    }
    throw error;
  }
  if (entries.length > 0) {
    throw new UsageError(`output directory ${outDir} exists and is not empty`, { out: outDir });
  }
}

/** `outDir` itself or the ancestor of it that exists and is not a directory (readdir said ENOTDIR). */
function notADirectory(outDir: string): string {
  let probe = outDir;
  for (;;) {
    try {
      if (!statSync(probe).isDirectory()) return probe;
    } catch {
      // absent, or below the file being looked for
    }
    const parent = path.dirname(probe);
    if (parent === probe) return outDir;
    probe = parent;
  }
}

/**
 * The real path `outDir` names or would name once created: links followed component by component and `..`
 * applied to what precedes it, as the system (and `mkdir -p`) does; components that do not exist yet are taken
 * as they are. A lexical `path.resolve` would miss an output reached through a link (`alias/inner` with
 * `alias` → the package) and misplace `link/../x`.
 */
export function realLocation(outDir: string): string {
  // Not path.resolve: it would apply `..` before the links are followed.
  const absolute = path.isAbsolute(outDir) ? outDir : `${process.cwd()}${path.sep}${outDir}`;
  let current = path.parse(absolute).root;
  for (const part of absolute.slice(current.length).split(path.sep)) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      current = path.dirname(current);
      continue;
    }
    const next = path.join(current, part);
    try {
      current = realpathSync.native(next);
    } catch {
      current = next;
    }
  }
  return current;
}
