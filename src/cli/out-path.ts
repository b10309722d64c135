/**
 * Checks a file the command is about to write before it does anything else (a checkpoint would otherwise be
 * recorded, a bundle streamed or a package imported before the write fails): its folder must exist, it must not
 * be a folder, and the file system must let this process write it.
 */
import { closeSync, openSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { FileSystemError, UsageError } from '../errors.js';

export function assertWritableTarget(path: string, flag: string): void {
  const folder = statOf(dirname(path));
  if (!folder?.isDirectory()) {
    throw new UsageError(`${flag} ${basename(path)}: its folder does not exist`, { file: basename(path) });
  }
  if (statOf(path)?.isDirectory()) {
    throw new UsageError(`${flag} ${basename(path)}: is a folder, not a file`, { file: basename(path) });
  }
  try {
    probeFolder(path);
  } catch (error) {
    const { code, syscall } = error as NodeJS.ErrnoException;
    throw new FileSystemError(
      `${flag} ${basename(path)}: cannot write in its folder (${code ?? String(error)})`,
      { file: basename(path), errno: code ?? null, syscall: syscall ?? null },
      { cause: error },
    );
  }
}

/**
 * Creates and removes a file beside `path`: every command writes its file beside the target and renames it over
 * (or creates it new), so the folder's permission is what it needs. A refusal (EACCES, EROFS) is thrown as the
 * system gave it; permission bits alone would not tell (root passes them where a file system
 * still refuses).
 */
function probeFolder(path: string): void {
  const probe = join(dirname(path), `.${basename(path)}.${process.pid}.probe`);
  closeSync(openSync(probe, 'wx'));
  unlinkSync(probe);
}

function statOf(path: string): ReturnType<typeof statSync> | undefined {
  return statSync(path, { throwIfNoEntry: false });
}
