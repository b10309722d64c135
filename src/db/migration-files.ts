/**
 * The numbered SQL files in `migrations/` (`NNNN_name.sql`), found from the source tree (`src/db/`) and from
 * the compiled tree (`dist/db/`, or `dist/src/db/` when compiled with the root tsconfig).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatabaseError } from '../errors.js';

export interface MigrationFile {
  version: number;
  /** `0001_schema`: the file name without `.sql`. */
  name: string;
  sql: string;
  /** SHA-256 hex of the file bytes. */
  checksum: string;
}

const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;
const CANDIDATE_DIRS = ['../../migrations/', '../../../migrations/'];

function findMigrationsDir(): string {
  for (const candidate of CANDIDATE_DIRS) {
    const dir = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(dir)) return dir;
  }
  throw new DatabaseError(
    'db.migrations_missing',
    'the migrations/ folder of the Chronicle package was not found',
  );
}

/** The migration files in version order; refuses two files with one version. */
export function readMigrationFiles(): MigrationFile[] {
  const dir = findMigrationsDir();
  const files: MigrationFile[] = [];
  for (const entry of readdirSync(dir)) {
    const match = FILE_PATTERN.exec(entry);
    if (!match?.[1]) continue;
    const bytes = readFileSync(join(dir, entry));
    files.push({
      version: Number(match[1]),
      name: entry.slice(0, -'.sql'.length),
      sql: bytes.toString('utf8'),
      checksum: createHash('sha256').update(bytes).digest('hex'),
    });
  }
  files.sort((a, b) => a.version - b.version);
  for (let i = 1; i < files.length; i++) {
    const previous = files[i - 1];
    const current = files[i];
    if (previous && current && previous.version === current.version) {
      throw new DatabaseError(
        'db.migrations_invalid',
        `migrations/${previous.name}.sql and migrations/${current.name}.sql have the same version`,
      );
    }
  }
  return files;
}
