/** Where a PGlite data dir keeps the engine's files, and whether it holds a database (without loading PGlite). */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MEMORY_DATA_DIR } from './database.js';

/** The engine's files in a PGlite data dir (beside `chronicle.lock`). */
export function pgliteFilesDir(dataDir: string): string {
  return join(dataDir, 'pgdata');
}

/** `memory://`, or (as PGlite reads it) `memory://` and a name: a database in memory, no folder. */
export function isInMemory(dataDir: string): boolean {
  return dataDir.startsWith(MEMORY_DATA_DIR);
}

/** Whether a PGlite data dir holds a database already (opening one that does not creates it there). */
export function holdsPgliteDatabase(dataDir: string): boolean {
  return isInMemory(dataDir) || existsSync(join(pgliteFilesDir(dataDir), 'PG_VERSION'));
}

/** Whether the engine's files folder holds anything (a database, or what is left of one: see pglite-database.ts). */
export function holdsPgliteFiles(dataDir: string): boolean {
  try {
    return readdirSync(pgliteFilesDir(dataDir)).length > 0;
  } catch {
    return false; // absent, or not a folder: the engine says what is wrong with it
  }
}
