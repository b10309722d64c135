/**
 * The PostgreSQL side of test setup: the throwaway server (scripts/pg-throwaway.sh, shared with .ci/run),
 * database URLs and the few administrative statements (CREATE/DROP DATABASE) tests need.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const SCRIPT = fileURLToPath(new URL('../../scripts/pg-throwaway.sh', import.meta.url));
const NO_BINARIES_STATUS = 3;

export interface ThrowawayServer {
  dir: string;
  url: string;
}

/** Starts a server, or returns null when this machine has no PostgreSQL binaries at all. */
export function startThrowawayServer(): ThrowawayServer | null {
  const result = spawnSync('bash', [SCRIPT, 'start'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.status === NO_BINARIES_STATUS) return null;
  const [dir, url] = result.stdout.trim().split(' ');
  if (result.status !== 0 || !dir || !url) {
    throw new Error(`could not start a throwaway PostgreSQL server:\n${result.stderr}`);
  }
  return { dir, url };
}

export function stopThrowawayServer(server: ThrowawayServer): void {
  spawnSync('bash', [SCRIPT, 'stop', server.dir], { stdio: 'ignore' });
}

/** The same server and credentials as `url`, another database. */
export function databaseUrl(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Runs one statement on the server's administrative database (the one DATABASE_URL names). */
export async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
