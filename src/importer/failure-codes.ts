/**
 * Turns an error that is not Chronicle's own into a stable code: a driver's (pg or PGlite), keeping the SQLSTATE and
 * dropping connection secrets, or the file system's.
 */
import { basename } from 'node:path';

export interface ClassifiedFailure {
  code: string;
  message: string;
  facts: Record<string, unknown>;
}

const BY_SQLSTATE: Record<string, string> = {
  '55P03': 'db.lock_timeout',
  '57014': 'db.statement_timeout',
  '57P01': 'db.connection_lost',
  '23505': 'db.conflict',
  '40001': 'db.serialization_failure',
  '40P01': 'db.deadlock',
  '42501': 'db.permission_denied',
  CH001: 'db.append_only',
  CH002: 'db.ordinal_gap',
};

/** Socket errors (Node's `code`) that mean the connection to the server is gone or was never made. */
const CONNECTION_ERRNO = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTCONN']);

/** What the drivers say when the connection is gone: pg's client, and PGlite closed under the import. */
const CONNECTION_LOST =
  /^(Connection terminated|Client was closed and is not queryable|Client has encountered a connection error|PGlite is closed)/;

/**
 * A Node system error (it names its system call) is the database's socket when the connection is gone, else the
 * file system refusing (`io.error`: a read-only or full disk, a path this user may not write), with its errno
 * code and call, and the file by its base name (messages never hold an absolute path). Only a driver's error
 * carries a SQLSTATE (five characters, like EPERM: hence the system call first). Anything else (a bug, most
 * likely) is `internal.error`: only what a driver says is classified by its words, so that no other error is
 * taken for a lost connection.
 */
export function classifyFailure(error: unknown): ClassifiedFailure {
  const message = error instanceof Error ? error.message : String(error);
  const { code, syscall } = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    syscall?: unknown;
  };
  if (typeof code === 'string' && CONNECTION_ERRNO.has(code)) {
    // The socket's own words (`write EPIPE`, `read ECONNRESET`) say little to an operator: say what they mean.
    return {
      code: 'db.connection_lost',
      message: `the database connection was lost (${message})`,
      facts: {},
    };
  }
  if (typeof syscall === 'string') return fileSystemFailure(error as NodeJS.ErrnoException, message);
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    return { code: BY_SQLSTATE[code] ?? 'db.error', message, facts: { sqlstate: code } };
  }
  if (CONNECTION_LOST.test(message)) return { code: 'db.connection_lost', message, facts: {} };
  return { code: 'internal.error', message, facts: {} };
}

function fileSystemFailure(
  error: NodeJS.ErrnoException & { dest?: unknown },
  message: string,
): ClassifiedFailure {
  let text = message;
  for (const path of [error.path, error.dest]) {
    if (typeof path === 'string' && path !== '') text = text.split(path).join(basename(path));
  }
  const file = typeof error.path === 'string' && error.path !== '' ? { file: basename(error.path) } : {};
  return {
    code: 'io.error',
    message: text,
    facts: { errno: error.code ?? null, syscall: error.syscall, ...file },
  };
}
