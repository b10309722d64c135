/**
 * Path safety. A package-relative path is resolved the way Python's `Path.resolve()` does it (symbolic links
 * followed component by component, `..` applied to the resolved parent, missing components appended as they
 * are) and must stay inside the resolved package root.
 */
import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';

const MAX_LINKS = 40;

export type Resolution =
  | { kind: 'inside'; absolute: string }
  | { kind: 'outside' }
  | { kind: 'unresolvable'; reason: string };

/** `rootReal` must already be a real path (no symbolic links). */
export function resolveInside(rootReal: string, relative: string): Resolution {
  if (relative.includes('\0')) return { kind: 'unresolvable', reason: 'the path contains a NUL character' };
  if (path.posix.isAbsolute(relative)) return { kind: 'outside' };
  // Fast path: an existing path resolves in one system call; the walk below is for the rest (missing
  // components keep Python's non-strict `resolve()` semantics).
  try {
    const absolute = realpathSync.native(path.join(rootReal, relative));
    return isInside(rootReal, absolute) ? { kind: 'inside', absolute } : { kind: 'outside' };
  } catch {
    // fall through to the component-by-component walk
  }
  const pending = relative.split('/');
  let current = rootReal;
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      current = path.dirname(current);
      continue;
    }
    const next = path.join(current, part);
    let isLink: boolean;
    try {
      isLink = lstatSync(next).isSymbolicLink();
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        current = next;
        continue;
      }
      return { kind: 'unresolvable', reason: describeFsError(error) };
    }
    if (!isLink) {
      current = next;
      continue;
    }
    links += 1;
    if (links > MAX_LINKS) return { kind: 'unresolvable', reason: 'too many levels of symbolic links' };
    let target: string;
    try {
      target = readlinkSync(next);
    } catch (error) {
      return { kind: 'unresolvable', reason: describeFsError(error) };
    }
    if (path.isAbsolute(target)) current = path.parse(target).root;
    pending.unshift(...target.split(path.sep));
  }
  return isInside(rootReal, current) ? { kind: 'inside', absolute: current } : { kind: 'outside' };
}

export function isInside(rootReal: string, absolute: string): boolean {
  return (
    absolute === rootReal || absolute.startsWith(rootReal.endsWith(path.sep) ? rootReal : rootReal + path.sep)
  );
}

export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

/** A file-system error in words, without the absolute path Node puts into its messages. */
export function describeFsError(error: unknown): string {
  switch (errorCode(error)) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'a parent is not a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    default:
      return `I/O error ${errorCode(error) ?? 'unknown'}`;
  }
}
