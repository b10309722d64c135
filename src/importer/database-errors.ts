/** Turns a driver error (pg or PGlite) into a stable code, keeping the SQLSTATE and dropping connection secrets. */
export interface ClassifiedDatabaseError {
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
 * Anything that is neither (a bug, most likely) is `internal.error`: only what a driver says is classified by
 * its words, so that no other error is taken for a lost connection.
 */
export function classifyDatabaseError(error: unknown): ClassifiedDatabaseError {
  const message = error instanceof Error ? error.message : String(error);
  const code =
    typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : null;
  if (code && CONNECTION_ERRNO.has(code)) {
    // The socket's own words (`write EPIPE`, `read ECONNRESET`) say little to an operator: say what they mean.
    return {
      code: 'db.connection_lost',
      message: `the database connection was lost (${message})`,
      facts: {},
    };
  }
  if (code && /^[0-9A-Z]{5}$/.test(code)) {
    return { code: BY_SQLSTATE[code] ?? 'db.error', message, facts: { sqlstate: code } };
  }
  if (CONNECTION_LOST.test(message)) return { code: 'db.connection_lost', message, facts: {} };
  return { code: 'internal.error', message, facts: {} };
}
