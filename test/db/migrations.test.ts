import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTimeOf } from '../../src/db/data-dir-lock.js';
import type { Database } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { readMigrationFiles } from '../../src/db/migration-files.js';
import { openDatabase } from '../../src/db/open-database.js';
import { databaseDigest } from '../../src/db/table-digest.js';
import { DatabaseError } from '../../src/errors.js';
import { importPackage } from '../../src/importer/import-package.js';
import { verifyCampaign } from '../../src/ledger/verify-campaign.js';
import { ANNEX, LIGHTHOUSE } from '../audit/support.js';
import { startCli } from '../resilience/support/child-cli.js';
import { BIN, EMBEDDED_ONLY, spawnCli } from '../support/cli.js';
import { backends, openTestDatabase, pgTestDatabase, type TestDatabase } from '../support/databases.js';

const MIGRATIONS_DIR = new URL('../../migrations/', import.meta.url);
const MIGRATION_FILES = readdirSync(MIGRATIONS_DIR)
  .filter((name) => /^\d{4}_[a-z0-9_]+\.sql$/.test(name))
  .sort();
const NEWEST_VERSION = Number(MIGRATION_FILES[MIGRATION_FILES.length - 1]?.slice(0, 4));
const CHRONICLE_TABLES = [
  'affordances',
  'campaigns',
  'checkpoints',
  'chronicle_migrations',
  'chunks',
  'edges',
  'entities',
  'events',
  'import_attempts',
  'import_log',
  'import_references',
  'import_runs',
  'imports',
  'tags',
];

async function expectDatabaseError(promise: Promise<unknown>, code: string): Promise<DatabaseError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(DatabaseError);
  expect((error as DatabaseError).code).toBe(code);
  return error as DatabaseError;
}

/** Opens the same database again, as a second process would. */
function reopen(target: TestDatabase, migrateOnOpen: boolean): Promise<Database> {
  return target.url
    ? openDatabase({ databaseUrl: target.url, migrate: migrateOnOpen })
    : openDatabase({ dataDir: target.dataDir, migrate: migrateOnOpen, lockTimeoutMs: 1000 });
}

const open: TestDatabase[] = [];
afterEach(async () => {
  for (const target of open.splice(0)) await target.drop();
});
async function track(target: Promise<TestDatabase>): Promise<TestDatabase> {
  const resolved = await target;
  open.push(resolved);
  return resolved;
}

describe.each(backends())('migrations on %s', (backend) => {
  it('migrates a fresh database: every file applied in order, recorded with its checksum', async () => {
    const target = await track(openTestDatabase(backend, { migrated: false }));

    const result = await migrate(target.db);

    expect(result).toEqual({
      applied: MIGRATION_FILES.map((name) => name.slice(0, -4)),
      current: NEWEST_VERSION,
    });
    const recorded = await target.db.query<{ version: number; name: string; checksum: string }>(
      'SELECT version, name, checksum FROM chronicle_migrations ORDER BY version',
    );
    expect(recorded).toEqual(
      MIGRATION_FILES.map((name) => ({
        version: Number(name.slice(0, 4)),
        name: name.slice(0, -4),
        checksum: createHash('sha256')
          .update(readFileSync(new URL(name, MIGRATIONS_DIR)))
          .digest('hex'),
      })),
    );
    const tables = await target.db.query<{ name: string }>(
      `SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename COLLATE "C"`,
    );
    expect(tables.map((row) => row.name)).toEqual(CHRONICLE_TABLES);
  });

  it('a second run applies nothing and changes nothing', async () => {
    const target = await track(openTestDatabase(backend));
    const before = await databaseDigest(target.db);

    const result = await migrate(target.db);

    expect(result).toEqual({ applied: [], current: NEWEST_VERSION });
    expect(await databaseDigest(target.db)).toBe(before);
  });

  it('refuses a database whose schema is newer than the code (db.schema_newer), on migrate and on open', async () => {
    const target = await track(openTestDatabase(backend));
    await target.db.query(
      `INSERT INTO chronicle_migrations (version, name, checksum) VALUES (9999, '9999_from_the_future', 'x')`,
    );
    const before = await databaseDigest(target.db);

    const error = await expectDatabaseError(migrate(target.db), 'db.schema_newer');
    expect(error.message).toContain('9999');
    expect(await databaseDigest(target.db)).toBe(before);

    if (backend === 'pglite') await target.db.close(); // one process per PGlite data dir
    await expectDatabaseError(reopen(target, true), 'db.schema_newer');
    if (backend === 'pglite') target.db = await reopen(target, false);
  });

  it('upgrades a database holding an import made before migration 0006: the chain verifies, imports go on', async () => {
    const target = await track(openTestDatabase(backend, { migrated: false }));
    // The schema as the release before 0006 left it: files 0001-0005 applied and recorded as migrate() does.
    await target.db.transaction(async (tx) => {
      await tx.query(
        'CREATE TABLE chronicle_migrations (version int PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, ' +
          'applied_at timestamptz NOT NULL DEFAULT now())',
      );
      for (const file of readMigrationFiles().filter((f) => f.version <= 5)) {
        await tx.query(file.sql);
        await tx.query('INSERT INTO chronicle_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
          file.version,
          file.name,
          file.checksum,
        ]);
      }
    });
    // Today's importer also notes its attempt in import_attempts (0007), which that release did not have: the
    // table is there for this import only.
    const attempts = readMigrationFiles().find((f) => f.name === '0007_import_attempts');
    await target.db.query(attempts?.sql ?? '');
    expect(await importPackage(target.db, LIGHTHOUSE, { campaign: 'kept' })).toMatchObject({
      outcome: 'committed',
    });
    await target.db.query('DROP TABLE import_attempts');

    const result = await migrate(target.db);

    expect(result).toEqual({
      applied: MIGRATION_FILES.slice(5).map((name) => name.slice(0, -4)),
      current: NEWEST_VERSION,
    });
    expect(result.applied[0]).toBe('0006_references_per_statement');
    expect(await verifyCampaign(target.db, 'kept')).toMatchObject({ ok: true, problems: [] });
    const next = await importPackage(target.db, ANNEX, { campaign: 'kept' });
    expect(next).toMatchObject({ outcome: 'committed', firstOrdinal: 18 });
    expect(await verifyCampaign(target.db, 'kept')).toMatchObject({ ok: true, problems: [] });
    const keys = await target.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_constraint WHERE contype = 'f' AND conrelid = 'events'::regclass`,
    );
    expect(keys).toEqual([{ n: 0 }]);
  });

  it('refuses a database where an applied migration file has changed (db.migration_checksum)', async () => {
    const target = await track(openTestDatabase(backend));
    await target.db.query(`UPDATE chronicle_migrations SET checksum = repeat('0', 64) WHERE version = 1`);

    const error = await expectDatabaseError(migrate(target.db), 'db.migration_checksum');
    expect(error.message).toContain(`migrations/${MIGRATION_FILES[0]}`);
  });
});

describe.skipIf(!process.env.DATABASE_URL)('migrations on pg, concurrently', () => {
  it('two workers migrating one empty database at once: each file is applied exactly once', async () => {
    const target = await track(pgTestDatabase({ migrated: false }));
    const url = target.url ?? '';

    const [first, second] = await Promise.all([
      openDatabase({ databaseUrl: url, migrate: false }),
      openDatabase({ databaseUrl: url, migrate: false }),
    ]);
    try {
      const results = await Promise.all([migrate(first), migrate(second)]);
      const appliedCounts = results.map((result) => result.applied.length).sort();
      expect(appliedCounts).toEqual([0, MIGRATION_FILES.length]);
      expect(results.map((result) => result.current)).toEqual([NEWEST_VERSION, NEWEST_VERSION]);
    } finally {
      await first.close();
      await second.close();
    }
  });
});

describe.each(backends())('values returned by %s', (backend) => {
  it('int8 as exact strings, bytea as Buffer, int4 as number; several statements return the last rows', async () => {
    const target = await track(openTestDatabase(backend));

    const [row] = await target.db.query(
      `SELECT 9007199254740993::int8 AS big, '\\x00ff10'::bytea AS bin, 7::int AS small, $1::bytea AS param`,
      [Buffer.from([1, 2, 3])],
    );
    expect(row).toEqual({
      big: '9007199254740993',
      bin: Buffer.from([0, 255, 16]),
      small: 7,
      param: Buffer.from([1, 2, 3]),
    });
    expect(Buffer.isBuffer(row?.bin)).toBe(true);
    expect(await target.db.query('SELECT 1 AS a; SELECT 2::int8 AS b')).toEqual([{ b: '2' }]);
  });

  it('a transaction commits, or rolls back everything when its function throws', async () => {
    const target = await track(openTestDatabase(backend));
    const slugs = async () =>
      (await target.db.query<{ slug: string }>('SELECT slug FROM campaigns ORDER BY slug')).map(
        (row) => row.slug,
      );

    await expect(
      target.db.transaction(async (tx) => {
        await tx.query(`INSERT INTO campaigns (slug) VALUES ('rolled-back')`);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const id = await target.db.transaction(async (tx) => {
      const [row] = await tx.query<{ id: string }>(
        `INSERT INTO campaigns (slug) VALUES ('kept') RETURNING id`,
      );
      return row?.id;
    });

    expect(typeof id).toBe('string');
    expect(await slugs()).toEqual(['kept']);
  });
});

describe.skipIf(!process.env.DATABASE_URL)('transactions on pg', () => {
  it('a transaction whose connection the server kills rejects, and the pool keeps working', async () => {
    const target = await track(pgTestDatabase());

    await expect(
      target.db.transaction(async (tx) => {
        await tx.query(`INSERT INTO campaigns (slug) VALUES ('lost')`);
        await tx.query('SELECT pg_terminate_backend(pg_backend_pid())');
      }),
    ).rejects.toThrow();

    expect(await target.db.query('SELECT count(*) AS n FROM campaigns')).toEqual([{ n: '0' }]);
  });
});

describe('openDatabase errors', () => {
  it('an unreachable server gives db.connect naming the host, never the password', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });

    const error = await expectDatabaseError(
      openDatabase({ databaseUrl: `postgres://chronicle:s3cret-pw@127.0.0.1:${port}/nowhere` }),
      'db.connect',
    );

    expect(error.message).toContain(`127.0.0.1:${port}/nowhere`);
    expect(JSON.stringify(error.toJSON())).not.toContain('s3cret-pw');
  });

  it('a database URL that does not parse gives db.connect without echoing it', async () => {
    const error = await expectDatabaseError(
      openDatabase({ databaseUrl: 'not a url s3cret-pw' }),
      'db.connect',
    );
    expect(error.message).not.toContain('s3cret-pw');
  });

  it('a URL of another scheme gives db.connect naming the scheme', async () => {
    const error = await expectDatabaseError(
      openDatabase({ databaseUrl: 'mysql://chronicle:s3cret-pw@127.0.0.1/chronicle' }),
      'db.connect',
    );
    expect(error.message).toBe('the database URL must start with postgres:// (got mysql://)');
  });
});

describe('PGlite data dir lock', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  function tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'chronicle-lock-'));
    dirs.push(dir);
    return dir;
  }

  it('holds chronicle.lock with its pid while open, refuses a second opener (db.locked), releases on close', async () => {
    const dataDir = tempDir();
    const lockFile = join(dataDir, 'chronicle.lock');
    const db = await openDatabase({ dataDir, migrate: false });
    try {
      expect(holderOf(lockFile)).toBe(process.pid);
      // Opened twice in one process: said at once, not waited for as another process.
      const error = await expectDatabaseError(openDatabase({ dataDir, lockTimeoutMs: 30_000 }), 'db.locked');
      expect(error.facts.pid).toBe(process.pid);
      expect(error.message).toContain('is open already in this process');
    } finally {
      await db.close();
    }
    expect(existsSync(lockFile)).toBe(false);
  });

  it('takes over a lock left by a process that is no longer running', async () => {
    const dataDir = tempDir();
    const dead = spawnSync(process.execPath, ['-e', '']);
    writeFileSync(join(dataDir, 'chronicle.lock'), `${dead.pid}\n`);

    const db = await openDatabase({ dataDir, lockTimeoutMs: 300 });
    try {
      expect(holderOf(join(dataDir, 'chronicle.lock'))).toBe(process.pid);
      expect(await db.query('SELECT count(*) AS n FROM campaigns')).toEqual([{ n: '0' }]);
    } finally {
      await db.close();
    }
  });

  it("takes over a lock whose pid was reused: this process's own (a container's pid 1), or a process started later", async () => {
    const dataDir = tempDir();
    const lockFile = join(dataDir, 'chronicle.lock');
    writeFileSync(lockFile, `${process.pid}\n`);
    const lastYear = new Date(Date.now() - 365 * 24 * 3600 * 1000);
    utimesSync(lockFile, lastYear, lastYear); // written before this process started
    const own = await openDatabase({ dataDir, lockTimeoutMs: 300, migrate: false });
    await own.close();

    const sleeper = spawn('sleep', ['30']);
    try {
      const started = startTimeOf(sleeper.pid as number);
      if (started !== null) {
        writeFileSync(lockFile, `${sleeper.pid} ${Number(started) - 1}\n`); // that pid, but not that process
        const reused = await openDatabase({ dataDir, lockTimeoutMs: 300, migrate: false });
        await reused.close();
      }
      writeFileSync(lockFile, `${sleeper.pid}${started === null ? '' : ` ${started}`}\n`); // its live holder
      const error = await expectDatabaseError(openDatabase({ dataDir, lockTimeoutMs: 300 }), 'db.locked');
      expect(error.facts.pid).toBe(sleeper.pid);
    } finally {
      sleeper.kill();
    }
  });

  it('stops waiting for a live lock as soon as its signal is aborted', async () => {
    const dataDir = tempDir();
    const sleeper = spawn('sleep', ['30']);
    try {
      writeFileSync(join(dataDir, 'chronicle.lock'), `${sleeper.pid}\n`);
      const controller = new AbortController();
      const reason = new Error('stopped');
      setTimeout(() => controller.abort(reason), 200);
      const started = performance.now();
      await expect(openDatabase({ dataDir, lockTimeoutMs: 30_000, signal: controller.signal })).rejects.toBe(
        reason,
      );
      expect(performance.now() - started).toBeLessThan(10_000);
    } finally {
      sleeper.kill();
    }
  });

  it('chronicle import waiting for the lock stops at SIGINT with exit 130, not after the wait with db.locked', async () => {
    const dataDir = tempDir();
    const sleeper = spawn('sleep', ['60']);
    try {
      writeFileSync(join(dataDir, 'chronicle.lock'), `${sleeper.pid}\n`);
      const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, 'import', LIGHTHOUSE, '--json'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, DATABASE_URL: '', CHRONICLE_DATABASE_URL: '' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
      });
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
      });
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      // Once it waits (its lock file is still the sleeper's and it has not exited), it is asked to stop.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const asked = performance.now();
      child.kill('SIGINT');
      const code = await exited;

      expect(code, stderr).toBe(130);
      expect(performance.now() - asked).toBeLessThan(5000);
      expect(JSON.parse(stdout)).toMatchObject({ error: { code: 'import.interrupted', signal: 'SIGINT' } });
      expect(holderOf(join(dataDir, 'chronicle.lock'))).toBe(sleeper.pid);
    } finally {
      sleeper.kill();
    }
  });

  it.each(['digest', 'runs'])(
    'chronicle %s waiting for the lock stops at SIGTERM with exit 143 and its JSON error',
    async (command) => {
      const dataDir = tempDir();
      await (await openDatabase({ dataDir })).close();
      const sleeper = spawn('sleep', ['60']);
      try {
        writeFileSync(join(dataDir, 'chronicle.lock'), `${sleeper.pid}\n`);
        // Asked to stop once it says it waits.
        const { done } = startCli(['--data-dir', dataDir, command, '--json'], {
          env: EMBEDDED_ONLY,
          onStderrLine: (line, child) => {
            if (line.includes('is in use by another Chronicle process')) child.kill('SIGTERM');
          },
        });
        const stopped = await done;

        expect(stopped.code, stopped.stderr).toBe(143);
        expect(JSON.parse(stopped.stdout)).toMatchObject({
          outcome: 'error',
          error: { code: 'open.interrupted', signal: 'SIGTERM' },
        });
        expect(stopped.stderr).toContain('[open.interrupted] interrupted by SIGTERM while it opened');
      } finally {
        sleeper.kill();
      }
    },
  );

  it('the CLI waits for a held data dir as long as lock_timeout (--lock-timeout, CHRONICLE_LOCK_TIMEOUT) and says so', async () => {
    const dataDir = tempDir();
    const sleeper = spawn('sleep', ['60']);
    try {
      writeFileSync(join(dataDir, 'chronicle.lock'), `${sleeper.pid}\n`);
      const env = { ...process.env, DATABASE_URL: '', CHRONICLE_DATABASE_URL: '' };
      const imported = spawnSync(
        process.execPath,
        [BIN, '--data-dir', dataDir, 'import', LIGHTHOUSE, '--lock-timeout', '400ms', '--json'],
        { encoding: 'utf8', env },
      );
      expect(imported.status, imported.stderr).toBe(3);
      const { error } = JSON.parse(imported.stdout);
      expect(error).toMatchObject({ code: 'db.locked', pid: sleeper.pid });
      expect(error.message).toContain('waited 400 ms');
      expect(imported.stderr).toContain(
        `the data directory ${dataDir} is in use by another Chronicle process (pid ${sleeper.pid}): waiting up to 400ms`,
      );

      const migrated = spawnSync(process.execPath, [BIN, '--data-dir', dataDir, 'migrate', '--json'], {
        encoding: 'utf8',
        env: { ...env, CHRONICLE_LOCK_TIMEOUT: '1s' },
      });
      expect(migrated.status, migrated.stderr).toBe(3);
      expect(JSON.parse(migrated.stdout).error.message).toContain('waited 1 s');
      expect(migrated.stderr).toContain('waiting up to 1s (lock_timeout)');
      expect(holderOf(join(dataDir, 'chronicle.lock'))).toBe(sleeper.pid);
    } finally {
      sleeper.kill();
    }
  });

  it('names the data directory when the file system refuses it; memory:// with a name is a database in memory', async () => {
    const parent = tempDir();
    const file = join(parent, 'a-file');
    writeFileSync(file, 'not a folder');
    for (const dataDir of [file, join(file, 'below')]) {
      const error = await openDatabase({ dataDir }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: 'io.error', facts: { data_dir: dataDir, errno: 'ENOTDIR' } });
      expect((error as Error).message).toBe(
        `cannot use ${dataDir} as the data directory: a file is in the way (it is not a folder, or a file is where one of its parent folders should be)`,
      );
    }

    const cwd = process.cwd();
    process.chdir(parent);
    try {
      const db = await openDatabase({ dataDir: 'memory://scratch' });
      await importPackage(db, LIGHTHOUSE, { campaign: 'in-memory' });
      await db.close();
    } finally {
      process.chdir(cwd);
    }
    expect(readdirSync(parent)).toEqual(['a-file']); // no memory:/scratch folder
  });

  it('refuses, and leaves as they are, database files that lost their PG_VERSION (never a new database over them)', async () => {
    const dataDir = tempDir();
    const db = await openDatabase({ dataDir });
    await importPackage(db, LIGHTHOUSE, { campaign: 'kept' });
    await db.close();
    const version = join(dataDir, 'pgdata', 'PG_VERSION');
    const text = readFileSync(version);
    rmSync(version);
    const before = readdirSync(join(dataDir, 'pgdata'), { recursive: true }).length;

    const error = await expectDatabaseError(openDatabase({ dataDir }), 'db.connect');

    expect(error.message).toContain('holds files but no PG_VERSION');
    // A command that only reads says the same: not "no Chronicle database here, import a package first".
    const read = await spawnCli(['--data-dir', dataDir, 'verify', '-c', 'kept', '--json'], {
      env: EMBEDDED_ONLY,
    });
    expect(read.code, read.stderr).toBe(3);
    expect(read.json).toMatchObject({ error: { code: 'db.connect' } });
    expect(readdirSync(join(dataDir, 'pgdata'), { recursive: true }).length).toBe(before);
    writeFileSync(version, text);
    const again = await openDatabase({ dataDir });
    try {
      expect((await verifyCampaign(again, 'kept')).events).toBe(18);
    } finally {
      await again.close();
    }
  });
});

/** The pid a lock file names (its first field; on Linux the holder's start time follows). */
function holderOf(lockFile: string): number {
  return Number(readFileSync(lockFile, 'utf8').trim().split(' ')[0]);
}
