/**
 * Applies the pending `migrations/NNNN_name.sql` files in order, all in one transaction under an advisory
 * lock (concurrent workers wait, then find nothing to do), and records each in `chronicle_migrations`.
 * Refuses a database whose schema is newer than this code (`db.schema_newer`) and one where an applied file
 * has changed or vanished since (`db.migration_checksum`, `db.migration_missing`).
 */
import { DatabaseError } from '../errors.js';
import type { Database, Session } from './database.js';
import { type MigrationFile, readMigrationFiles } from './migration-files.js';

export interface MigrateResult {
  /** Names of the files applied by this call (`0001_schema`), in order. */
  applied: string[];
  /** The schema version of the database afterwards. */
  current: number;
}

/**
 * Two-key advisory lock (class, id): a key space apart from the one-key locks other code takes
 * (campaign locks use `pg_advisory_xact_lock(bigint)`).
 */
const LOCK_CLASS = 0x4348524e; // "CHRN"
const LOCK_MIGRATIONS = 1;

const CREATE_LEDGER = `CREATE TABLE IF NOT EXISTS chronicle_migrations (
  version int PRIMARY KEY,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

export function migrate(db: Database): Promise<MigrateResult> {
  const files = readMigrationFiles();
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1::int, $2::int)', [LOCK_CLASS, LOCK_MIGRATIONS]);
    // Only when missing: a role without CREATE (a least-privilege importer or auditor) opens an up-to-date database.
    const [ledger] = await tx.query<{ present: boolean }>(
      `SELECT to_regclass('chronicle_migrations') IS NOT NULL AS present`,
    );
    if (!ledger?.present) await tx.query(CREATE_LEDGER);
    const applied = await tx.query<AppliedRow>(
      'SELECT version, name, checksum FROM chronicle_migrations ORDER BY version',
    );
    checkApplied(applied, files);
    const appliedVersions = new Set(applied.map((row) => row.version));
    const pending = files.filter((file) => !appliedVersions.has(file.version));
    for (const file of pending) await apply(tx, file);
    const current = Math.max(0, ...applied.map((row) => row.version), ...pending.map((file) => file.version));
    return { applied: pending.map((file) => file.name), current };
  });
}

function checkApplied(applied: readonly AppliedRow[], files: readonly MigrationFile[]): void {
  const newestFile = files[files.length - 1]?.version ?? 0;
  const newestApplied = applied[applied.length - 1];
  if (newestApplied && newestApplied.version > newestFile) {
    throw new DatabaseError(
      'db.schema_newer',
      `the database schema is at version ${newestApplied.version} (${newestApplied.name}), newer than this ` +
        `Chronicle (migrations up to ${newestFile}); upgrade Chronicle`,
      { database_version: newestApplied.version, code_version: newestFile },
    );
  }
  const byVersion = new Map(files.map((file) => [file.version, file]));
  for (const row of applied) {
    const file = byVersion.get(row.version);
    if (!file) {
      throw new DatabaseError(
        'db.migration_missing',
        `migration ${row.name} was applied to the database but migrations/${row.name}.sql is missing`,
        { file: `migrations/${row.name}.sql` },
      );
    }
    if (file.checksum !== row.checksum) {
      throw new DatabaseError(
        'db.migration_checksum',
        `migrations/${file.name}.sql changed after it was applied (applied ${row.checksum}, file ${file.checksum})`,
        { file: `migrations/${file.name}.sql`, expected_hash: row.checksum, actual_hash: file.checksum },
      );
    }
  }
}

async function apply(tx: Session, file: MigrationFile): Promise<void> {
  try {
    await tx.query(file.sql);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DatabaseError('db.migration_failed', `migrations/${file.name}.sql failed: ${reason}`, {
      file: `migrations/${file.name}.sql`,
    });
  }
  await tx.query('INSERT INTO chronicle_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
    file.version,
    file.name,
    file.checksum,
  ]);
}
