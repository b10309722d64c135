// Public surface of the database layer. Other folders import from here (or the type-only database.js).
export {
  type Backend,
  type Database,
  DEFAULT_DATA_DIR,
  MEMORY_DATA_DIR,
  type OpenOptions,
  type ReservedSession,
  type Session,
  type Transactions,
} from './database.js';
export { type MigrateResult, migrate } from './migrate.js';
export { openDatabase } from './open-database.js';
export { holdsPgliteDatabase } from './pglite-files.js';
export { APPEND_ONLY_SQLSTATE, DENSE_NUMBERS_SQLSTATE, sqlStateOf } from './sql-errors.js';
export { databaseDigest, tableDigest } from './table-digest.js';
