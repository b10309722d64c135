/**
 * Fresh, migrated, empty databases for each measurement, cloned from a template built once:
 * - pg: the server DATABASE_URL names, else a throwaway server started exactly as the tests start one
 *   (scripts/pg-throwaway.sh, fsync off) and stopped at the end; databases are `CREATE DATABASE … TEMPLATE`.
 * - pglite: a migrated data dir copied per measurement (the file-backed engine the CLI uses).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Backend } from '../src/db/database.js';
import { openDatabase } from '../src/db/open-database.js';
import { repoRoot } from './paths.js';

/** What a measurement child opens. */
export type DbTarget = { backend: 'pg'; url: string; name: string } | { backend: 'pglite'; dataDir: string };

export interface ServerFacts {
  /** e.g. `PostgreSQL 15.18` or `PGlite 0.5.16 (PostgreSQL 17.x)`. */
  version: string;
  /** The server settings that matter for ingestion. */
  settings: Record<string, string>;
  /** How the server was provided. */
  origin: string;
}

export interface BenchDatabases {
  readonly backend: Backend;
  create(): Promise<DbTarget>;
  drop(target: DbTarget): Promise<void>;
  facts(): Promise<ServerFacts>;
  close(): Promise<void>;
}

const SETTINGS = ['fsync', 'synchronous_commit', 'shared_buffers', 'wal_level', 'max_wal_size', 'work_mem'];

export async function benchDatabases(backend: Backend, log: (line: string) => void): Promise<BenchDatabases> {
  return backend === 'pg' ? pgDatabases(log) : pgliteDatabases();
}

function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function admin<R extends pg.QueryResultRow>(url: string, text: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text)).rows;
  } finally {
    await client.end();
  }
}

async function pgDatabases(log: (line: string) => void): Promise<BenchDatabases> {
  let serverDir: string | null = null;
  let url = process.env.DATABASE_URL;
  const script = join(repoRoot(), 'scripts', 'pg-throwaway.sh');
  if (!url) {
    log('starting a throwaway PostgreSQL server (scripts/pg-throwaway.sh)');
    const started = spawnSync('bash', [script, 'start'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [dir, serverUrl] = started.stdout.trim().split(' ');
    if (started.status !== 0 || !dir || !serverUrl) {
      throw new Error(
        `bench: could not start a PostgreSQL server (status ${started.status}):\n${started.stderr}`,
      );
    }
    serverDir = dir;
    url = serverUrl;
  }
  const server = url;
  const prefix = `chronicle_bench_${process.pid}`;
  const template = `${prefix}_template`;
  let created = 0;
  try {
    await admin(server, `DROP DATABASE IF EXISTS ${quote(template)} WITH (FORCE)`);
    await admin(server, `CREATE DATABASE ${quote(template)}`);
    const db = await openDatabase({ databaseUrl: withDatabase(server, template) });
    await db.close();
  } catch (error) {
    if (serverDir) spawnSync('bash', [script, 'stop', serverDir], { stdio: 'ignore' });
    throw error;
  }
  return {
    backend: 'pg',
    async create() {
      created += 1;
      const name = `${prefix}_${created}`;
      await admin(server, `CREATE DATABASE ${quote(name)} TEMPLATE ${quote(template)}`);
      return { backend: 'pg', url: withDatabase(server, name), name };
    },
    async drop(target) {
      if (target.backend !== 'pg') return;
      await admin(server, `DROP DATABASE IF EXISTS ${quote(target.name)} WITH (FORCE)`);
    },
    async facts() {
      const [version] = await admin<{ v: string }>(server, `SELECT current_setting('server_version') AS v`);
      const rows = await admin<{ name: string; setting: string }>(
        server,
        `SELECT name, current_setting(name) AS setting FROM pg_settings WHERE name IN (${SETTINGS.map((s) => `'${s}'`).join(', ')}) ORDER BY name`,
      );
      return {
        version: `PostgreSQL ${version?.v ?? '?'}`,
        settings: Object.fromEntries(rows.map((r) => [r.name, r.setting])),
        origin: serverDir ? 'throwaway server (scripts/pg-throwaway.sh)' : 'DATABASE_URL',
      };
    },
    async close() {
      try {
        await admin(server, `DROP DATABASE IF EXISTS ${quote(template)} WITH (FORCE)`);
      } finally {
        if (serverDir) spawnSync('bash', [script, 'stop', serverDir], { stdio: 'ignore' });
      }
    },
  };
}

async function pgliteDatabases(): Promise<BenchDatabases> {
  const root = mkdtempSync(join(tmpdir(), 'chronicle-bench-pglite-'));
  const templateDir = join(root, 'template');
  const db = await openDatabase({ dataDir: templateDir });
  const rows = await db.query<{ name: string; setting: string }>(
    `SELECT name, current_setting(name) AS setting FROM pg_settings WHERE name IN (${SETTINGS.map((s) => `'${s}'`).join(', ')}) ORDER BY name`,
  );
  const [version] = await db.query<{ v: string }>(`SELECT current_setting('server_version') AS v`);
  await db.close();
  let created = 0;
  return {
    backend: 'pglite',
    async create() {
      created += 1;
      const dataDir = join(root, `db-${created}`);
      cpSync(join(templateDir, 'pgdata'), join(dataDir, 'pgdata'), { recursive: true });
      return { backend: 'pglite', dataDir };
    },
    async drop(target) {
      if (target.backend === 'pglite') rmSync(target.dataDir, { recursive: true, force: true });
    },
    async facts() {
      return {
        version: `PostgreSQL ${version?.v ?? '?'} compiled to WebAssembly, in the Node process`,
        settings: Object.fromEntries(rows.map((r) => [r.name, r.setting])),
        origin: 'PGlite, file-backed data dir',
      };
    },
    async close() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}
