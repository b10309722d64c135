/**
 * The database contract every other folder uses: a `Session` runs statements, a `Database` also runs
 * transactions. Two backends implement it identically: a PostgreSQL server through `pg`, or an embedded PGlite.
 *
 * Values returned by both backends (the types Chronicle's schema uses):
 * - `bigint`/`int8` (including `count(*)`, `sum(int)`): JS `string`, exact (no precision loss past 2^53).
 * - `int`/`int4`, `smallint`: `number`. `numeric`: `string`. `boolean`: `boolean`. `text`: `string`.
 * - `bytea`: `Buffer`. `jsonb`/`json`: parsed with `JSON.parse` (so never read hashed numbers from it:
 *   read `payload_canonical` instead). `timestamptz`: `Date` (millisecond precision; select
 *   `extract(epoch ...)` or `::text` when microseconds matter).
 * Types outside this list (arrays, `date`, intervals) follow each driver's defaults and may differ.
 *
 * Statements: with parameters, one statement (extended protocol). Without parameters (`params` absent or
 * empty), several statements separated by `;` are allowed (simple protocol) and the rows of the last one are
 * returned; on both backends.
 */
export type Backend = 'pg' | 'pglite';

/** One connection (or, for `Database`, a pool/embedded engine that behaves like one per statement). */
export interface Session {
  readonly backend: Backend;
  /** A statement may be issued before the previous one finished: statements run one at a time, in call order. */
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]>;
  /**
   * Bulk load, present on the sessions `Database.transaction` passes (both backends), absent on the Database
   * itself: `COPY <table> (<columns>) FROM STDIN (FORMAT binary)`. Each Buffer `tuples` yields
   * holds whole tuples in the binary tuple format (see copy-encoder.ts; the session adds header and trailer).
   * pg streams every Buffer through one COPY statement, consuming `tuples` only as fast as the server takes
   * the data; PGlite runs one COPY statement per Buffer. Statement triggers fire once per COPY statement.
   * When `tuples` throws, the COPY is abandoned (the server discards it) and that error is rethrown.
   */
  copyIn?(table: string, columns: readonly string[], tuples: AsyncIterable<Buffer>): Promise<void>;
  /**
   * Bulk read, present on the sessions `Database.transaction` passes: `COPY (<query>) TO STDOUT (FORMAT binary)`
   * (decode the bytes with copy-decoder.ts). COPY takes no parameters: write into `query` only values the
   * caller has checked. pg streams the bytes as they arrive, and the session runs nothing else until the
   * stream is read to its end; PGlite returns the whole result at once (in memory: query a page at a time).
   */
  copyOut?(query: string): AsyncIterable<Buffer>;
  /**
   * The same bulk read for a query of one page: its whole result at once, run in order with the session's
   * other statements (so pages of several streams can be read ahead on one session).
   */
  copyOutPage?(query: string): Promise<Buffer>;
  /**
   * Asks the server to stop the statement this session is running now, if any (pg: `pg_cancel_backend` sent on a
   * connection of its own, so that it goes through while the pool is busy); the statement then fails with
   * SQLSTATE 57014. Absent on PGlite, whose statements never wait for another process.
   */
  cancel?(): Promise<void>;
}

/** Runs transactions: BEGIN … COMMIT, ROLLBACK and rethrow when `fn` fails. */
export interface Transactions {
  /**
   * Inside `fn` use only `tx`: on PGlite the outer database waits for the transaction to end, so a query on it
   * from inside `fn` would never finish.
   */
  transaction<T>(fn: (tx: Session) => Promise<T>): Promise<T>;
}

/**
 * One connection kept for a while (pg: taken from the pool until `release`; PGlite: its one session): statements
 * outside transactions and transactions on the same connection, so that session-level state (an advisory lock)
 * holds across them.
 */
export interface ReservedSession extends Session, Transactions {
  /** False once the connection broke: its statements fail and its session-level locks are gone. */
  readonly usable: boolean;
  /**
   * Gives the connection back (a broken one is dropped; `discard`: dropped too, with its session-level locks, as
   * when it may be broken without knowing it yet). Once only.
   */
  release(discard?: boolean): void;
}

export interface Database extends Session, Transactions {
  /**
   * `transaction` on a connection of its own (a pg client whose connection broke is destroyed, not returned to
   * the pool).
   */
  transaction<T>(fn: (tx: Session) => Promise<T>): Promise<T>;
  /** A connection to keep (see ReservedSession); release it. */
  reserve(): Promise<ReservedSession>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /**
   * `postgres://user:password@host:port/database`: use a PostgreSQL server (pool of at most 4 connections; each
   * import keeps one from its start to its end, so a fifth import at once in one process waits for one).
   */
  databaseUrl?: string;
  /**
   * Without `databaseUrl`: the PGlite folder (default `./.chronicle`), holding `chronicle.lock` and the
   * database files in `pgdata/`. `memory://` (or `memory://` and a name) keeps everything in memory (no lock).
   */
  dataDir?: string;
  /** Apply pending migrations on open (default true). */
  migrate?: boolean;
  /** How long to wait for another process to release a PGlite data dir (default 30 000 ms). */
  lockTimeoutMs?: number;
  /** Stops the wait for a PGlite data dir's lock: the open throws the signal's reason. */
  signal?: AbortSignal;
  /** Told once when another process holds the PGlite data dir and this open waits for it (that process's pid). */
  onLockWait?: (holderPid: number | null) => void;
}

export const DEFAULT_DATA_DIR = './.chronicle';
export const MEMORY_DATA_DIR = 'memory://';
