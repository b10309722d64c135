/**
 * A test database that the real CLI runs against, as users' commands do: on PostgreSQL through its URL; on PGlite
 * its data dir is left to the CLI processes, and the test opens it only for a superuser's edits.
 */
import { afterAll, beforeAll } from 'vitest';
import { type Backend, type Database, openDatabase } from '../../src/index.js';
import { type CliRun, spawnCli } from './cli.js';
import { openTestDatabase, type TestDatabase } from './databases.js';

/** No database anywhere: no URL in the environment, no data dir. */
export const NO_DATABASE = { DATABASE_URL: '', CHRONICLE_DATABASE_URL: '', CHRONICLE_DATA_DIR: '' };

export interface CliTarget {
  /** The real CLI, pointed at this database. */
  cli(...args: string[]): Promise<CliRun>;
  /** The same, from another working directory or with more environment (a configuration under test). */
  cliWith(options: { cwd?: string; env?: NodeJS.ProcessEnv }, ...args: string[]): Promise<CliRun>;
  /** Runs `fn` with the database open as its owner, as a rogue operator would edit it. */
  asSuperuser(fn: (target: TestDatabase) => Promise<unknown>): Promise<void>;
}

/** Opens the database before the suite's tests and drops it after them. */
export function cliTarget(backend: Backend): CliTarget {
  let target: TestDatabase;
  let flags: string[];
  beforeAll(async () => {
    target = await openTestDatabase(backend);
    if (backend === 'pglite') await target.db.close();
    flags = backend === 'pg' ? ['--database-url', target.url ?? ''] : ['--data-dir', target.dataDir ?? ''];
  });
  afterAll(async () => {
    if (backend === 'pglite') target.db = await openDatabase({ dataDir: target.dataDir ?? '' });
    await target?.drop();
  });
  return {
    cli: (...args) => spawnCli([...flags, ...args], { env: NO_DATABASE }),
    cliWith: (options, ...args) =>
      spawnCli([...flags, ...args], { cwd: options.cwd, env: { ...NO_DATABASE, ...options.env } }),
    async asSuperuser(fn) {
      if (backend === 'pg') {
        await fn(target);
        return;
      }
      const db: Database = await openDatabase({ dataDir: target.dataDir ?? '', migrate: false });
      try {
        await fn({ ...target, db });
      } finally {
        await db.close();
      }
    },
  };
}
