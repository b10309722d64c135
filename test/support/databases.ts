/**
 * Databases for tests: a fresh PostgreSQL database per call and a PGlite database in a temporary folder (both
 * cloned from the migrated templates global-setup.ts builds), and the list of backends to run a suite on.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Backend, Database } from '../../src/db/database.js';
import { openDatabase } from '../../src/db/open-database.js';
import { adminQuery, databaseUrl, quoteIdentifier } from './pg-server.js';

/** Set by global-setup.ts: the name of this run's migrated template database. */
export const TEMPLATE_DATABASE_ENV = 'CHRONICLE_TEMPLATE_DATABASE';
/** Set by global-setup.ts: a migrated PGlite `pgdata` folder to copy. */
export const PGLITE_TEMPLATE_ENV = 'CHRONICLE_PGLITE_TEMPLATE';

export interface TestDatabase {
  backend: Backend;
  db: Database;
  /** PostgreSQL: the URL of this database (for spawned CLI processes). */
  url?: string;
  /** PGlite: the data dir (for spawned CLI processes: `--data-dir`). */
  dataDir?: string;
  /** Closes the database (whichever `db` holds by then) and deletes it. */
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** Start from the migrated schema (default true); false gives an empty database, opened without migrating. */
  migrated?: boolean;
}

/** The backends to run a suite on, for `describe.each`: PGlite always, PostgreSQL when DATABASE_URL is set. */
export function backends(): Backend[] {
  return process.env.DATABASE_URL ? ['pg', 'pglite'] : ['pglite'];
}

let created = 0;

export async function pgTestDatabase(
  options: TestDatabaseOptions = {},
): Promise<TestDatabase & { url: string }> {
  const server = process.env.DATABASE_URL;
  if (!server) throw new Error('pgTestDatabase: DATABASE_URL is not set (see test/support/global-setup.ts)');
  const migrated = options.migrated ?? true;
  const template = process.env[TEMPLATE_DATABASE_ENV];
  if (migrated && !template) throw new Error(`pgTestDatabase: ${TEMPLATE_DATABASE_ENV} is not set`);
  created += 1;
  const name = `chronicle_test_${process.pid}_${created}`;
  await adminQuery(
    server,
    migrated
      ? `CREATE DATABASE ${quoteIdentifier(name)} TEMPLATE ${quoteIdentifier(template ?? '')}`
      : `CREATE DATABASE ${quoteIdentifier(name)}`,
  );
  const url = databaseUrl(server, name);
  const target: TestDatabase & { url: string } = {
    backend: 'pg',
    db: await openDatabase({ databaseUrl: url, migrate: migrated }),
    url,
    async drop() {
      await target.db.close();
      await adminQuery(server, `DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
    },
  };
  return target;
}

export async function pgliteTestDatabase(
  options: TestDatabaseOptions = {},
): Promise<TestDatabase & { dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'chronicle-pglite-'));
  const template = process.env[PGLITE_TEMPLATE_ENV];
  if ((options.migrated ?? true) && template) cpSync(template, join(dataDir, 'pgdata'), { recursive: true });
  const target: TestDatabase & { dataDir: string } = {
    backend: 'pglite',
    db: await openDatabase({ dataDir, migrate: options.migrated ?? true }),
    dataDir,
    async drop() {
      await target.db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return target;
}

export function openTestDatabase(backend: Backend, options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  return backend === 'pg' ? pgTestDatabase(options) : pgliteTestDatabase(options);
}

/**
 * Runs one statement with Chronicle's triggers switched off (`session_replication_role = replica`, which
 * needs a superuser: the throwaway server's user and PGlite's are), to tamper with append-only tables.
 */
export function superuserQuery<R = Record<string, unknown>>(
  target: TestDatabase,
  text: string,
  params: readonly unknown[] = [],
): Promise<R[]> {
  return target.db.transaction(async (tx) => {
    await tx.query('SET LOCAL session_replication_role = replica');
    return tx.query<R>(text, params);
  });
}
