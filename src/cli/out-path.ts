/**
 * Checks a file the command is about to write before it does anything else (a checkpoint would otherwise be
 * recorded, or a bundle streamed, before the write fails): its folder must exist and it must not be a folder.
 */
import { statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { UsageError } from '../errors.js';

export function assertWritableTarget(path: string, flag: string): void {
  const folder = statOf(dirname(path));
  if (!folder?.isDirectory()) {
    throw new UsageError(`${flag} ${basename(path)}: its folder does not exist`, { file: basename(path) });
  }
  if (statOf(path)?.isDirectory()) {
    throw new UsageError(`${flag} ${basename(path)}: is a folder, not a file`, { file: basename(path) });
  }
}

function statOf(path: string): ReturnType<typeof statSync> | undefined {
  return statSync(path, { throwIfNoEntry: false });
}
