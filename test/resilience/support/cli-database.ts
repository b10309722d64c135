/**
 * A test database that the real CLI (a child process) uses, on either backend. On PGlite a data dir has one
 * user at a time, so the test opens it only inside `read()`, between CLI runs.
 */
import { rmSync } from 'node:fs';
import { type Backend, type Database, openDatabase } from '../../../src/index.js';
import { openTestDatabase } from '../../support/databases.js';
import { cliTarget } from './child-cli.js';

export interface CliDatabase {
  backend: Backend;
  /** Global flags for the CLI (`--database-url …` or `--data-dir …`). */
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Runs `fn` on the database from the test process. */
  read<T>(fn: (db: Database) => Promise<T>): Promise<T>;
  drop(): Promise<void>;
}

export async function cliDatabase(backend: Backend): Promise<CliDatabase> {
  const target = await openTestDatabase(backend);
  if (backend === 'pg') {
    return {
      backend,
      ...cliTarget('pg', target.url),
      read: (fn) => fn(target.db),
      drop: () => target.drop(),
    };
  }
  const dataDir = target.dataDir ?? '';
  await target.db.close();
  return {
    backend,
    ...cliTarget('pglite', dataDir),
    async read(fn) {
      const db = await openDatabase({ dataDir, migrate: false });
      try {
        return await fn(db);
      } finally {
        await db.close();
      }
    },
    async drop() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
