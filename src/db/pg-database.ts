/** The `Database` contract on a PostgreSQL server, through a small `pg` pool. */
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { parse as parseConnectionString } from 'pg-connection-string';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { CommitUnconfirmedError, DatabaseError } from '../errors.js';
import { COPY_BINARY_HEADER, COPY_BINARY_TRAILER } from './copy-encoder.js';
import type { Database, ReservedSession, Session } from './database.js';

const POOL_SIZE = 4;
const CONNECT_TIMEOUT_MS = 30_000;
const INT8_OID = 20;

/** int8 stays the exact decimal string (see database.ts); bytea is already a Buffer in `pg`. */
const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8_OID && format !== 'binary') return (value: string) => value;
    return pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

async function run<R>(target: Queryable, text: string, params?: readonly unknown[]): Promise<R[]> {
  const values = params && params.length > 0 ? [...params] : undefined;
  // Without values pg uses the simple protocol, which returns one result per statement.
  const result: unknown = await target.query(text, values);
  const last = Array.isArray(result) ? result[result.length - 1] : result;
  return ((last as pg.QueryResult | undefined)?.rows ?? []) as R[];
}

/** One COPY statement fed from `tuples` as fast as the server takes it; a failing source sends CopyFail. */
async function copyIn(
  client: pg.PoolClient,
  table: string,
  columns: readonly string[],
  tuples: AsyncIterable<Buffer>,
): Promise<void> {
  const target = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN (FORMAT binary)`));
  await pipeline(framed(tuples), target);
}

/**
 * One `COPY (query) TO STDOUT` statement's bytes, as the server sends them. A consumer that stops early
 * (an error) leaves the rest to be read here: a connection cut off in the middle of a COPY would hang the
 * transaction's ROLLBACK.
 */
async function* copyOut(client: pg.PoolClient, query: string): AsyncGenerator<Buffer> {
  const chunks: AsyncIterator<Buffer> = client
    .query(copyTo(`COPY (${query}) TO STDOUT (FORMAT binary)`))
    [Symbol.asyncIterator]();
  let done = false;
  try {
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
    done = true;
  } finally {
    while (!done) done = (await chunks.next()).done === true;
  }
}

async function collected(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const all: Buffer[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return all.length === 1 ? (all[0] as Buffer) : Buffer.concat(all);
}

async function* framed(tuples: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  yield COPY_BINARY_HEADER;
  for await (const chunk of tuples) {
    if (chunk.length > 0) yield chunk;
  }
  yield COPY_BINARY_TRAILER;
}

/**
 * Statements given to one connection while another is running wait for it, in call order (pg itself no
 * longer queues them): a reader may send its next page's query before it consumes the current page.
 */
function serialized(): <T>(statement: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(statement: () => Promise<T>): Promise<T> => {
    const result = tail.then(statement, statement);
    tail = result.catch(() => undefined);
    return result;
  };
}

class PgDatabase implements Database {
  readonly backend = 'pg' as const;

  constructor(
    private readonly pool: pg.Pool,
    private readonly databaseUrl: string,
  ) {}

  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]> {
    return run<R>(this.pool, text, params);
  }

  async transaction<T>(fn: (tx: Session) => Promise<T>): Promise<T> {
    const session = await this.reserve();
    try {
      return await session.transaction(fn);
    } finally {
      session.release();
    }
  }

  async reserve(): Promise<ReservedSession> {
    const client = await this.pool.connect();
    let broken = false;
    let released = false;
    // A connection that dies while checked out emits 'error' on the client; without a listener it would
    // crash the process. The failing statement reports the error; here we only remember to destroy it.
    const onError = (): void => {
      broken = true;
    };
    client.on('error', onError);
    const cancel = () => cancelBackend(this.databaseUrl, client);
    return {
      backend: 'pg',
      get usable() {
        return !broken;
      },
      query: (text, params) => run(client, text, params),
      cancel,
      async transaction<T>(fn: (tx: Session) => Promise<T>): Promise<T> {
        try {
          await client.query('BEGIN');
          const inOrder = serialized();
          const result = await fn({
            backend: 'pg',
            query: (text, params) => inOrder(() => run(client, text, params)),
            copyIn: (table, columns, tuples) => inOrder(() => copyIn(client, table, columns, tuples)),
            copyOut: (query) => copyOut(client, query),
            copyOutPage: (query) => inOrder(() => collected(copyOut(client, query))),
            cancel,
          });
          await commit(client);
          return result;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {
            broken = true;
          });
          throw error;
        }
      },
      release(discard = false) {
        if (released) return;
        released = true;
        if (discard) broken = true;
        client.removeListener('error', onError);
        client.release(broken);
      },
    };
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

/**
 * COMMIT. An error the server answered with is the transaction's (rolled back); without an answer (the connection
 * broke) the transaction may have committed: `CommitUnconfirmedError`.
 */
async function commit(client: pg.PoolClient): Promise<void> {
  try {
    await client.query('COMMIT');
  } catch (error) {
    throw error instanceof pg.DatabaseError ? error : new CommitUnconfirmedError(error);
  }
}

/** Cancels the statement `client` is running, from a connection of its own (same role: no privilege needed). */
async function cancelBackend(databaseUrl: string, client: pg.PoolClient): Promise<void> {
  const pid = (client as pg.PoolClient & { processID?: number }).processID;
  if (pid === undefined) return;
  const canceller = new pg.Client({
    connectionString: databaseUrl,
    application_name: 'chronicle',
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  // Its failures come from connect/query below; an 'error' event without a listener would end the process.
  canceller.on('error', () => {});
  try {
    await canceller.connect();
    await canceller.query('SELECT pg_cancel_backend($1)', [pid]);
  } finally {
    await canceller.end().catch(() => {});
  }
}

interface Target {
  host: string;
  port: string;
  database: string;
  password: string;
}

const URL_SCHEME = /^([a-z][a-z0-9+.-]*):/i;

/**
 * Where a database URL points, read by the parser `pg` itself connects with: host and port, or a Unix socket
 * directory (`postgres://user@/db?host=/var/run/postgresql`, or the directory percent-encoded as the host).
 */
function describeTarget(databaseUrl: string): Target {
  const scheme = URL_SCHEME.exec(databaseUrl)?.[1]?.toLowerCase();
  if (scheme === undefined) throw invalidUrl();
  if (scheme !== 'postgres' && scheme !== 'postgresql') {
    throw new DatabaseError('db.connect', `the database URL must start with postgres:// (got ${scheme}://)`);
  }
  let target: ReturnType<typeof parseConnectionString>;
  try {
    target = parseConnectionString(databaseUrl);
  } catch {
    throw invalidUrl();
  }
  const user = target.user ?? '';
  return {
    host: target.host || 'localhost',
    port: target.port || '5432',
    database: target.database || user || 'postgres',
    password: target.password ?? '',
  };
}

/** The URL may hold a password: never echo it. */
function invalidUrl(): DatabaseError {
  return new DatabaseError(
    'db.connect',
    'the database URL is not valid (expected postgres://user@host:port/database)',
  );
}

/** `host:port/database`, or for a Unix socket its path and the database. */
function whereTo({ host, port, database }: Target): string {
  return host.startsWith('/')
    ? `${host}/.s.PGSQL.${port} (database ${database})`
    : `${host}:${port}/${database}`;
}

function withoutSecret(text: string, secret: string): string {
  return secret === '' ? text : text.split(secret).join('***');
}

/** Opens a pool and proves the server answers; failures become `db.connect` naming host, never password. */
export async function openPgDatabase(databaseUrl: string): Promise<Database> {
  const target = describeTarget(databaseUrl);
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: POOL_SIZE,
    types: typeParsers,
    application_name: 'chronicle',
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    allowExitOnIdle: true,
  });
  // An idle pooled connection that the server closes emits 'error' on the pool; the pool already drops it
  // and the next statement reconnects, so there is nothing to do but not crash.
  pool.on('error', () => {});
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => {});
    const reason = withoutSecret(error instanceof Error ? error.message : String(error), target.password);
    throw new DatabaseError('db.connect', `cannot connect to PostgreSQL at ${whereTo(target)}: ${reason}`, {
      host: target.host,
      port: target.port,
      database: target.database,
    });
  }
  return new PgDatabase(pool, databaseUrl);
}
