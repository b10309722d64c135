/** Opens the database the options name (a PostgreSQL URL, else a PGlite folder) and migrates it. */
import { type Database, DEFAULT_DATA_DIR, type OpenOptions } from './database.js';
import { migrate } from './migrate.js';
import { openPgDatabase } from './pg-database.js';
import { openPgliteDatabase } from './pglite-database.js';

const DEFAULT_LOCK_TIMEOUT_MS = 30_000;

export async function openDatabase(options: OpenOptions): Promise<Database> {
  const db = options.databaseUrl
    ? await openPgDatabase(options.databaseUrl)
    : await openPgliteDatabase(
        options.dataDir ?? DEFAULT_DATA_DIR,
        options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
      );
  if (options.migrate === false) return db;
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
