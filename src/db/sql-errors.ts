/** The SQLSTATEs Chronicle's own triggers raise (see migrations/0002 and 0003), and how to read one. */

/** `chronicle.append_only: <table> is append-only` (UPDATE, DELETE or TRUNCATE of a ledger table). */
export const APPEND_ONLY_SQLSTATE = 'CH001';
/** `chronicle.ordinal_gap …` (events) or `chronicle.sequence_gap …` (import_log). */
export const DENSE_NUMBERS_SQLSTATE = 'CH002';

/** The SQLSTATE of a pg or PGlite error, or undefined for anything else. */
export function sqlStateOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}
