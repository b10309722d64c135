/**
 * Opens the database the options name (a PostgreSQL URL, else a PGlite folder) and migrates it. Each backend's
 * driver is loaded only when it is used: a process working on PostgreSQL does not carry PGlite, nor the reverse.
 */
import { type Database, DEFAULT_DATA_DIR, type OpenOptions } from './database.js';
import { migrate } from './migrate.js';

const DEFAULT_LOCK_TIMEOUT_MS = 30_000;

export async function openDatabase(options: OpenOptions): Promise<Database> {
  const db = options.databaseUrl
    ? await (await import('./pg-database.js')).openPgDatabase(options.databaseUrl)
    : await (await import('./pglite-database.js')).openPgliteDatabase(options.dataDir ?? DEFAULT_DATA_DIR, {
        timeoutMs: options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
        signal: options.signal,
        onWait: options.onLockWait,
      });
  if (options.migrate === false) return db;
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
