/**
 * PGlite is a single-process engine: two processes opening the same data dir would corrupt it. The dir is
 * guarded by `<dataDir>/chronicle.lock` (created exclusively, holding the owner's pid). A lock whose pid is
 * no longer running is stale and taken over; a live one is waited for, then refused with `db.locked`.
 * The lock is released on close and, synchronously, when the process exits.
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DatabaseError } from '../errors.js';
import { makeDirectory } from '../make-directory.js';

export const LOCK_FILE_NAME = 'chronicle.lock';
const POLL_MS = 100;

export interface DataDirLock {
  release(): void;
}

/** `dataDir` is used in messages as the caller gave it (never resolved to an absolute path). */
export async function lockDataDir(dataDir: string, timeoutMs: number): Promise<DataDirLock> {
  makeDirectory(dataDir);
  const path = join(dataDir, LOCK_FILE_NAME);
  const attempts = Math.max(1, Math.ceil(timeoutMs / POLL_MS));
  let holder: number | null = null;
  let unreadable = 0;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (tryCreate(path)) return holdLock(path);
    holder = readHolder(path);
    // A pid that is not running, or a file still without a pid one poll later (its writer died), is stale.
    unreadable = holder === null ? unreadable + 1 : 0;
    if ((holder !== null && !isRunning(holder)) || unreadable > 1) {
      removeIfHeldBy(path, holder);
      continue;
    }
    await sleep(POLL_MS);
  }
  throw new DatabaseError(
    'db.locked',
    `the data directory ${dataDir} is in use by another Chronicle process (pid ${holder ?? 'unknown'}, ` +
      `${LOCK_FILE_NAME}); waited ${Math.round(timeoutMs / 1000)} s`,
    { data_dir: dataDir, pid: holder },
  );
}

function tryCreate(path: string): boolean {
  try {
    writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** The pid in the lock file, or null when the file vanished or holds no pid (a torn write). */
function readHolder(path: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function removeIfHeldBy(path: string, pid: number | null): void {
  if (readHolder(path) !== pid) return;
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function holdLock(path: string): DataDirLock {
  let held = true;
  const release = (): void => {
    if (!held) return;
    held = false;
    process.removeListener('exit', release);
    removeIfHeldBy(path, process.pid);
  };
  process.on('exit', release);
  return { release };
}
