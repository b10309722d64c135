/**
 * SHA-256 digests of table contents, so a test can say "byte-identical before and after" in one line.
 * Every table of the current schema (Chronicle's tables and `chronicle_migrations`) is read in primary-key
 * order (the database's collation: stable for one database, not across servers), in pages (keyset
 * pagination), each row rendered by the server as a JSON array of its column values as text: bytea as hex,
 * timestamptz as UTC ISO-8601 with microseconds, everything else by its text output.
 * The digest covers the column names too, so a schema change changes it.
 */
import { createHash } from 'node:crypto';
import type { Session } from './database.js';

const PAGE_ROWS = 2000;

interface ColumnRow {
  table_name: string;
  column_name: string;
  type_name: string;
  /** Position in the primary key (ascending order), or null when not part of it. */
  key_position: number | null;
}

interface Table {
  name: string;
  columns: { name: string; type: string }[];
  key: string[];
}

async function readTables(session: Session): Promise<Table[]> {
  const rows = await session.query<ColumnRow>(
    `SELECT c.relname AS table_name, a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type_name,
            array_position(i.indkey::int2[], a.attnum) AS key_position
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
      WHERE c.relkind IN ('r', 'p')
      ORDER BY c.relname COLLATE "C", a.attnum`,
  );
  const tables = new Map<string, Table>();
  const keys = new Map<string, { name: string; position: number }[]>();
  for (const row of rows) {
    let table = tables.get(row.table_name);
    if (!table) {
      table = { name: row.table_name, columns: [], key: [] };
      tables.set(row.table_name, table);
      keys.set(row.table_name, []);
    }
    table.columns.push({ name: row.column_name, type: row.type_name });
    if (row.key_position !== null)
      keys.get(row.table_name)?.push({ name: row.column_name, position: row.key_position });
  }
  for (const table of tables.values()) {
    const key = keys.get(table.name) ?? [];
    key.sort((a, b) => a.position - b.position);
    if (key.length === 0) throw new Error(`table ${table.name} has no primary key: it cannot be digested`);
    table.key = key.map((column) => column.name);
  }
  return [...tables.values()];
}

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

function render(column: { name: string; type: string }): string {
  const ref = `t.${quote(column.name)}`;
  if (column.type === 'bytea') return `encode(${ref}, 'hex')`;
  if (column.type === 'timestamp with time zone') {
    return `to_char(${ref} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
  }
  return `${ref}::text`;
}

async function digestTable(session: Session, table: Table): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`${JSON.stringify(table.columns.map((column) => column.name))}\n`);
  // Column references are qualified (t.) so ORDER BY can never pick an output alias by mistake.
  const keyList = table.key.map((name) => `t.${quote(name)}`).join(', ');
  const keyText = table.key.map((name, i) => `t.${quote(name)}::text AS k${i}`).join(', ');
  const rowText = `json_build_array(${table.columns.map(render).join(', ')})::text AS row_text`;
  const select = `SELECT ${keyText}, ${rowText} FROM ${quote(table.name)} AS t`;
  const after = `(${keyList}) > (${table.key.map((_, i) => `$${i + 1}`).join(', ')})`;
  let last: string[] | null = null;
  for (;;) {
    const page: Record<string, string>[] = last
      ? await session.query(`${select} WHERE ${after} ORDER BY ${keyList} LIMIT ${PAGE_ROWS}`, last)
      : await session.query(`${select} ORDER BY ${keyList} LIMIT ${PAGE_ROWS}`, [] as string[]);
    for (const row of page) hash.update(`${row.row_text}\n`);
    const final = page[page.length - 1];
    if (!final || page.length < PAGE_ROWS) break;
    last = table.key.map((_, i) => final[`k${i}`] ?? '');
  }
  return hash.digest('hex');
}

/** Table name -> SHA-256 hex of its contents, for every table of the current schema (sorted by name). */
export async function tableDigest(session: Session): Promise<Record<string, string>> {
  const digests: Record<string, string> = {};
  for (const table of await readTables(session)) digests[table.name] = await digestTable(session, table);
  return digests;
}

/** One SHA-256 hex over every table's digest, leaving out the tables in `except` (e.g. `import_runs`). */
export async function databaseDigest(
  session: Session,
  options: { except?: readonly string[] } = {},
): Promise<string> {
  const except = new Set(options.except ?? []);
  const hash = createHash('sha256');
  for (const [name, digest] of Object.entries(await tableDigest(session))) {
    if (!except.has(name)) hash.update(`${name} ${digest}\n`);
  }
  return hash.digest('hex');
}
