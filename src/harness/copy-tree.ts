/**
 * Copies a package folder for a scenario to edit. The copy shares no file with the source, so that editing it
 * can never change the source, and it plans as the source does, so that the scenario's change is the only
 * defect it adds:
 * - folders and regular files are copied (a hard link becomes a file of its own), with their permission bits
 *   plus the owner's read and write (and search, for folders): a read-only source gives a copy the scenario can
 *   edit and the user can delete;
 * - a symbolic link stays a symbolic link, re-aimed: one that resolves inside the package points, relatively,
 *   at the same path in the copy (an absolute link kept as it is would reach into the source); one that
 *   resolves outside the package, which planning rejects (`package.path_escape`), points at the same place as
 *   before, by its absolute path (a relative one kept as it is would point elsewhere from the copy).
 */
import { chmod, copyFile, lstat, mkdir, readdir, readlink, realpath, symlink } from 'node:fs/promises';
import path from 'node:path';
import { compareCodePoints } from '../canonical/index.js';
import { UsageError } from '../errors.js';
import { isInside } from '../package/resolve-path.js';

/** Copies the contents of `srcDir` into `outDir`, an existing empty folder outside it. */
export async function copyTree(srcDir: string, outDir: string): Promise<void> {
  const srcRoot = await realpath(srcDir);
  // Walked without following links, from the real root: every source path seen is a real path.
  const pending: string[] = [''];
  while (pending.length > 0) {
    const folder = pending.pop() as string;
    for (const name of (await readdir(path.join(srcRoot, folder))).sort(compareCodePoints)) {
      const relative = path.join(folder, name);
      const from = path.join(srcRoot, relative);
      const to = path.join(outDir, relative);
      const stats = await lstat(from);
      if (stats.isDirectory()) {
        await mkdir(to);
        await chmod(to, (stats.mode & 0o777) | 0o700);
        pending.push(relative);
      } else if (stats.isFile()) {
        await copyFile(from, to);
        await chmod(to, (stats.mode & 0o777) | 0o600);
      } else if (stats.isSymbolicLink()) {
        await symlink(await reaimedTarget(srcRoot, from, to, outDir), to);
      } else {
        throw new UsageError(
          `${srcDir}: ${relative.split(path.sep).join('/')} is not a file, a folder or a symbolic link; a package holds none`,
          { file: relative.split(path.sep).join('/') },
        );
      }
    }
  }
}

/** Where the copy `to` of the link `from` must point to reach what `from` reaches (see the module comment). */
async function reaimedTarget(srcRoot: string, from: string, to: string, outDir: string): Promise<string> {
  let reached: string;
  try {
    reached = await realpath(from);
  } catch {
    // A broken link (or a loop): where its text leads, so that the copy is broken in the same way.
    reached = path.resolve(path.dirname(from), await readlink(from));
  }
  if (!isInside(srcRoot, reached)) return reached;
  return path.relative(path.dirname(to), path.join(outDir, path.relative(srcRoot, reached))) || '.';
}
