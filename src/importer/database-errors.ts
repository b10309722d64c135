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
  CH001: 'db.append_only',
  CH002: 'db.ordinal_gap',
};

export function classifyDatabaseError(error: unknown): ClassifiedDatabaseError {
  const message = error instanceof Error ? error.message : String(error);
  const sqlstate =
    typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : null;
  if (sqlstate && /^[0-9A-Z]{5}$/.test(sqlstate)) {
    return { code: BY_SQLSTATE[sqlstate] ?? 'db.error', message, facts: { sqlstate } };
  }
  if (/terminat|Connection terminated|ECONNRESET|ECONNREFUSED|closed/i.test(message)) {
    return { code: 'db.connection_lost', message, facts: {} };
  }
  return { code: 'internal.error', message, facts: {} };
}
