/**
 * PGlite is a single-process engine: two processes opening the same data dir would corrupt it. The dir is
 * guarded by `<dataDir>/chronicle.lock` (created exclusively, holding the owner's pid and, on Linux, its start
 * time). A lock whose process is gone is stale and taken over: its pid is not running, or (a pid reused, as pid 1
 * is by every container started on the same volume) the process running under it started at another time, or it
 * is this process's own pid in a lock written before this process started. A live one is waited for, then refused with
 * `db.locked` (the caller is told when the wait starts); a stop asked meanwhile (the `signal`) ends the wait at once. The lock is released on close and,
 * synchronously, when the process exits.
 */
import { readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DatabaseError, FileSystemError } from '../errors.js';
import { makeDirectory } from '../make-directory.js';

export const LOCK_FILE_NAME = 'chronicle.lock';
const POLL_MS = 100;

/** The lock files this thread holds (resolved paths): opening one of their folders again is refused at once. */
const heldHere = new Set<string>();

export interface DataDirLock {
  release(): void;
}

interface Holder {
  pid: number;
  /** When the holder started (Linux: clock ticks since boot), if it wrote it. */
  startedAt: string | null;
}

export interface LockWait {
  /** How long to wait for a live holder before `db.locked`. */
  timeoutMs: number;
  /** Ends the wait at once: the lock throws the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Told once, when a live holder makes this process wait (its pid, if the lock file names one). */
  onWait?: ((holderPid: number | null) => void) | undefined;
}

/** `dataDir` is used in messages as the caller gave it (never resolved to an absolute path). */
export async function lockDataDir(
  dataDir: string,
  { timeoutMs, signal, onWait }: LockWait,
): Promise<DataDirLock> {
  const path = join(dataDir, LOCK_FILE_NAME);
  try {
    makeDirectory(dataDir);
  } catch (error) {
    throw refusedFolder(dataDir, error);
  }
  if (heldHere.has(resolve(path))) {
    throw new DatabaseError(
      'db.locked',
      `the data directory ${dataDir} is open already in this process (${LOCK_FILE_NAME}): close it first`,
      { data_dir: dataDir, pid: process.pid },
    );
  }
  const attempts = Math.max(1, Math.ceil(timeoutMs / POLL_MS));
  let holder: Holder | null = null;
  let unreadable = 0;
  let told = false;
  for (let attempt = 0; attempt < attempts; attempt++) {
    signal?.throwIfAborted();
    if (tryCreate(path, dataDir)) return holdLock(path);
    holder = readHolder(path);
    // A process that is gone, or a file still without a pid one poll later (its writer died), is stale.
    unreadable = holder === null ? unreadable + 1 : 0;
    if ((holder !== null && isGone(holder, path)) || unreadable > 1) {
      removeIfHeldBy(path, holder?.pid ?? null);
      continue;
    }
    if (!told && holder !== null) {
      told = true;
      onWait?.(holder.pid);
    }
    await sleep(POLL_MS, undefined, signal ? { signal } : {}).catch(() => signal?.throwIfAborted());
  }
  throw new DatabaseError(
    'db.locked',
    `the data directory ${dataDir} is in use by another Chronicle process (pid ${holder?.pid ?? 'unknown'}, ` +
      `${LOCK_FILE_NAME}); waited ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${timeoutMs / 1000} s`}`,
    { data_dir: dataDir, pid: holder?.pid ?? null },
  );
}

function tryCreate(path: string, dataDir: string): boolean {
  try {
    const started = startTimeOf(process.pid);
    writeFileSync(path, `${process.pid}${started === null ? '' : ` ${started}`}\n`, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw refusedFolder(dataDir, error);
  }
}

/** The file system refusing the data directory (or its lock file), said of the folder the user named. */
function refusedFolder(dataDir: string, error: unknown): unknown {
  const { code, syscall } = error as NodeJS.ErrnoException;
  if (typeof syscall !== 'string') return error;
  const why =
    code === 'ENOTDIR'
      ? 'a file is in the way (it is not a folder, or a file is where one of its parent folders should be)'
      : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
        ? `${code === 'EROFS' ? 'the file system is read-only' : 'permission denied'}: the embedded database writes ` +
          'its lock and its files there, also to read them (to verify a read-only copy, copy the folder somewhere ' +
          'writable and give that --data-dir)'
        : `the file system refused it (${code ?? 'error'}, ${syscall})`;
  return new FileSystemError(
    `cannot use ${dataDir} as the data directory: ${why}`,
    { data_dir: dataDir, errno: code ?? null, syscall },
    { cause: error },
  );
}

/** The lock file's holder, or null when the file vanished or holds no pid (a torn write). */
function readHolder(path: string): Holder | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const [pidText, startedAt] = text.trim().split(/\s+/);
  const pid = Number.parseInt(pidText ?? '', 10);
  return Number.isSafeInteger(pid) && pid > 0 ? { pid, startedAt: startedAt ?? null } : null;
}

/** Whether the process that wrote the lock is gone (its pid not running, or reused by another process). */
function isGone(holder: Holder, path: string): boolean {
  // A lock naming this process's pid written before this process started is a dead process's (another thread of
  // this process may hold one written since: that one is live).
  if (holder.pid === process.pid) return writtenBeforeThisProcess(path);
  if (!isRunning(holder.pid)) return true;
  const started = holder.startedAt === null ? null : startTimeOf(holder.pid);
  return started !== null && started !== holder.startedAt;
}

function writtenBeforeThisProcess(path: string): boolean {
  const written = statSync(path, { throwIfNoEntry: false })?.mtimeMs;
  // process.uptime() is the process's, also on a worker thread (whose performance.timeOrigin is its own start).
  return written !== undefined && written < Date.now() - process.uptime() * 1000;
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

/** A process's start time where the system tells it (Linux: field 22 of /proc/<pid>/stat), else null. */
export function startTimeOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count the fields after its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function removeIfHeldBy(path: string, pid: number | null): void {
  if ((readHolder(path)?.pid ?? null) !== pid) return;
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function holdLock(path: string): DataDirLock {
  let held = true;
  const key = resolve(path);
  heldHere.add(key);
  const release = (): void => {
    if (!held) return;
    held = false;
    heldHere.delete(key);
    process.removeListener('exit', release);
    removeIfHeldBy(path, process.pid);
  };
  process.on('exit', release);
  return { release };
}
