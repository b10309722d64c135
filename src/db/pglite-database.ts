/** The `Database` contract on an embedded PGlite engine (a folder on disk, or memory). */
import { statfsSync } from 'node:fs';
import { type ParserOptions, PGlite, type Transaction, types } from '@electric-sql/pglite';
import { DatabaseError, FileSystemError } from '../errors.js';
import { COPY_BINARY_HEADER, COPY_BINARY_TRAILER } from './copy-encoder.js';
import { type DataDirLock, type LockWait, lockDataDir } from './data-dir-lock.js';
import { type Database, MEMORY_DATA_DIR, type ReservedSession, type Session } from './database.js';
import { holdsPgliteDatabase, holdsPgliteFiles, isInMemory, pgliteFilesDir } from './pglite-files.js';

/** The same values as the `pg` backend (see database.ts): int8 as string, bytea as Buffer. */
const parsers: ParserOptions = {
  [types.INT8]: (value: string) => value,
  [types.BYTEA]: (value: string) => Buffer.from(value.slice(2), 'hex'),
};

type Engine = Pick<PGlite | Transaction, 'query' | 'exec'>;

async function run<R>(engine: Engine, text: string, params?: readonly unknown[]): Promise<R[]> {
  if (!params || params.length === 0) {
    // Like pg without values: simple protocol, several statements allowed, rows of the last one.
    const results = await engine.exec(text);
    return (results[results.length - 1]?.rows ?? []) as R[];
  }
  const result = await engine.query<R>(text, [...params]);
  return result.rows;
}

/** PGlite cannot stream COPY data: each chunk of tuples is one COPY statement reading a blob. */
async function copyIn(
  engine: Engine,
  table: string,
  columns: readonly string[],
  tuples: AsyncIterable<Buffer>,
): Promise<void> {
  const text = `COPY ${table} (${columns.join(', ')}) FROM '/dev/blob' (FORMAT binary)`;
  for await (const chunk of tuples) {
    if (chunk.length === 0) continue;
    await engine.query(text, [], { blob: new Blob([COPY_BINARY_HEADER, chunk, COPY_BINARY_TRAILER]) });
  }
}

/** PGlite cannot stream COPY data out either: the whole result comes as one blob (keep `query` to a page). */
async function* copyOut(engine: Engine, query: string): AsyncGenerator<Buffer> {
  const page = await copyOutPage(engine, query);
  if (page.length > 0) yield page;
}

async function copyOutPage(engine: Engine, query: string): Promise<Buffer> {
  const result = await engine.query(`COPY (${query}) TO '/dev/blob' (FORMAT binary)`);
  return result.blob ? Buffer.from(await result.blob.arrayBuffer()) : Buffer.alloc(0);
}

/** Free bytes below which a failing engine is taken to have met a full disk (a WAL segment is 16 MiB). */
const FULL_DISK_BYTES = 32 * 1024 * 1024;

/**
 * The engine's own error, unless the disk of its files is full: PGlite then loses the system's ENOSPC and fails
 * every statement from then on with `cannot drop active portal` (24000), which says nothing to an operator. Such
 * a failure on a disk with (almost) no space left is `io.error` with errno ENOSPC, naming the free space.
 */
function explained(error: unknown, filesDir: string | null): unknown {
  const { code } = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown };
  if (filesDir === null || code !== '24000') return error;
  let free: number;
  try {
    const stats = statfsSync(filesDir);
    free = stats.bavail * stats.bsize;
  } catch {
    return error;
  }
  if (free >= FULL_DISK_BYTES) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new FileSystemError(
    `no space left on the disk of the embedded database (${Math.floor(free / 1024)} KiB free): the engine ` +
      `stopped (${reason}); what it was writing is not committed. Free some space and run the command again`,
    { errno: 'ENOSPC', syscall: 'write' },
    { cause: error },
  );
}

class PgliteDatabase implements Database {
  readonly backend = 'pglite' as const;

  constructor(
    private readonly engine: PGlite,
    private readonly lock: DataDirLock | null,
    /** The engine's files (null in memory): where a failure looks for a full disk. */
    private readonly filesDir: string | null,
  ) {}

  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]> {
    return this.explain(run<R>(this.engine, text, params));
  }

  transaction<T>(fn: (tx: Session) => Promise<T>): Promise<T> {
    // PGlite runs BEGIN/COMMIT, and ROLLBACK then rethrows when `fn` fails.
    return this.explain(
      this.engine.transaction((tx) =>
        fn({
          backend: 'pglite',
          query: (text, params) => this.explain(run(tx, text, params)),
          copyIn: (table, columns, tuples) => this.explain(copyIn(tx, table, columns, tuples)),
          copyOut: (query) => copyOut(tx, query),
          copyOutPage: (query) => this.explain(copyOutPage(tx, query)),
        }),
      ),
    );
  }

  private explain<T>(statement: Promise<T>): Promise<T> {
    return statement.catch((error: unknown) => {
      throw explained(error, this.filesDir);
    });
  }

  /** The engine has one session: keeping it is using it. */
  async reserve(): Promise<ReservedSession> {
    const engine = this.engine;
    return {
      backend: 'pglite',
      get usable() {
        return !engine.closed;
      },
      query: (text, params) => this.query(text, params),
      transaction: (fn) => this.transaction(fn),
      release() {},
    };
  }

  async close(): Promise<void> {
    try {
      if (!this.engine.closed) await this.engine.close();
    } finally {
      this.lock?.release();
    }
  }
}

/** `dataDir` holds `chronicle.lock` and the engine's files in `pgdata/`; `memory://` keeps all in memory. */
export async function openPgliteDatabase(dataDir: string, wait: LockWait): Promise<Database> {
  const lock = isInMemory(dataDir) ? null : await lockDataDir(dataDir, wait);
  try {
    if (lock) refuseDamagedFiles(dataDir);
    const filesDir = lock ? pgliteFilesDir(dataDir) : null;
    const engine = await PGlite.create({ dataDir: filesDir ?? MEMORY_DATA_DIR, parsers });
    return new PgliteDatabase(engine, lock, filesDir);
  } catch (error) {
    lock?.release();
    if (error instanceof DatabaseError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new DatabaseError('db.connect', `cannot open the embedded database in ${dataDir}: ${reason}`, {
      data_dir: dataDir,
    });
  }
}

/**
 * PGlite creates a database in a folder without PG_VERSION, over whatever the folder holds: a database whose
 * PG_VERSION was lost (a bad copy, a damaged disk) would be replaced by an empty one at the next import. A files
 * folder that holds anything but no PG_VERSION is refused instead, and left as it is.
 */
function refuseDamagedFiles(dataDir: string): void {
  if (holdsPgliteDatabase(dataDir) || !holdsPgliteFiles(dataDir)) return;
  throw new DatabaseError(
    'db.connect',
    `cannot open the embedded database in ${dataDir}: ${pgliteFilesDir(dataDir)} holds files but no PG_VERSION ` +
      '(a damaged or incomplete database): nothing was changed. Restore the folder from a copy; if a first import ' +
      'was stopped while it created the database, remove the pgdata folder and import again',
    { data_dir: dataDir },
  );
}
