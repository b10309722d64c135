/**
 * Checks a file the command is about to write before it does anything else (a checkpoint would otherwise be
 * recorded, a bundle streamed or a package imported before the write fails): its folder must exist, it must not
 * be a folder, and the file system must let this process write it.
 */
import { closeSync, openSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { FileSystemError, UsageError } from '../errors.js';

export function assertWritableTarget(path: string, flag: string): void {
  const shown = asGiven(path);
  const folder = statOf(dirname(path));
  if (!folder?.isDirectory()) {
    throw new UsageError(`${flag} ${shown}: its folder does not exist`, { file: basename(path) });
  }
  if (statOf(path)?.isDirectory()) {
    throw new UsageError(`${flag} ${shown}: is a folder, not a file`, { file: basename(path) });
  }
  probeFolder(dirname(path), `${flag} ${shown}: cannot write in its folder`, basename(path));
}

/** A path in a message: as the user gave it when relative (`nodir/x.json`), else its base name (never absolute). */
export function asGiven(path: string): string {
  return isAbsolute(path) ? basename(path) : path;
}

/** For a folder the command will write files in (`import --checkpoint-dir`): the file system must let it. */
export function assertWritableFolder(dir: string, flag: string): void {
  probeFolder(dir, `${flag} ${asGiven(dir)}: cannot write in it`, basename(dir));
}

/**
 * Creates and removes a file in `folder`: every command writes its file beside the target and renames it over
 * (or creates it new), so the folder's permission is what it needs. Permission bits alone would not tell: root
 * passes them where a file system still refuses (EACCES, EROFS).
 */
function probeFolder(folder: string, problem: string, file: string): void {
  const probe = join(folder, `.chronicle-${process.pid}.probe`);
  try {
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
  } catch (error) {
    const { code, syscall } = error as NodeJS.ErrnoException;
    throw new FileSystemError(
      `${problem} (${code ?? String(error)})`,
      { file, errno: code ?? null, syscall: syscall ?? null },
      { cause: error },
    );
  }
}

function statOf(path: string): ReturnType<typeof statSync> | undefined {
  return statSync(path, { throwIfNoEntry: false });
}
