/**
 * The connection of an import breaks around its COMMIT (PostgreSQL: a proxy between Chronicle and the server cuts
 * it). When the COMMIT reached the server, the import is committed whatever the lost answer said: it must be
 * reported and recorded committed (it was recorded rolled_back, and the CLI said nothing was written). When the
 * COMMIT never arrived it rolled back. When no connection can tell, the outcome is `unknown` and the next import
 * records the attempt as it ended.
 */
import { Writable } from 'node:stream';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { Session } from '../../src/db/database.js';
import { openDatabase } from '../../src/db/open-database.js';
import { InterruptedError } from '../../src/errors.js';
import { readCommitOutcome } from '../../src/importer/attempts.js';
import { createLogger, type ImportResult, importPackage, LOG_EVENTS } from '../../src/index.js';
import { Metrics } from '../../src/observability/metrics.js';
import { LIGHTHOUSE, LIGHTHOUSE_LAST } from '../audit/support.js';
import { spawnCli } from '../support/cli.js';
import {
  type CommitCuttingProxy,
  type ProxyOptions,
  startCommitCuttingProxy,
} from '../support/commit-cutting-proxy.js';
import { pgTestDatabase, type TestDatabase } from '../support/databases.js';

/** The statement of the import's transaction that comes right before its COMMIT. */
const MARKER = 'UPDATE import_attempts SET import_id';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A stop asked for (SIGTERM) as the connection is cut: after the COMMIT was sent, it changes nothing. */
function stopAtCut(): { signal: AbortSignal; onCut: () => void } {
  const controller = new AbortController();
  return { signal: controller.signal, onCut: () => controller.abort(new InterruptedError('SIGTERM')) };
}

async function setUp(
  options: Omit<ProxyOptions, 'marker'> & { marker?: string },
): Promise<{ target: TestDatabase; proxy: CommitCuttingProxy }> {
  const target = await pgTestDatabase();
  cleanups.push(() => target.drop());
  const proxy = await startCommitCuttingProxy(target.url, { marker: MARKER, ...options });
  cleanups.push(() => proxy.close());
  return { target, proxy };
}

async function importThrough(
  proxy: CommitCuttingProxy,
  metrics: Metrics,
  lines: Record<string, unknown>[],
  signal?: AbortSignal,
) {
  const db = await openDatabase({ databaseUrl: proxy.url, migrate: false });
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  try {
    return await importPackage(db, LIGHTHOUSE, {
      campaign: 'cut',
      metrics,
      lockTimeout: '5s',
      logger: createLogger({ level: 'info', destination }),
      ...(signal ? { signal } : {}),
    });
  } finally {
    await db.close().catch(() => {});
  }
}

/** A connection lost before the COMMIT arrived: nothing written, the attempt recorded rolled back. */
async function expectRolledBackAndRecorded(db: Session, result: ImportResult): Promise<void> {
  expect(result).toMatchObject({ outcome: 'rolled_back', error: { code: 'db.connection_lost' } });
  const after = await state(db);
  expect(after.events).toBe(0);
  expect(after.runs).toEqual([
    { run_id: result.runId, outcome: 'rolled_back', error_code: 'db.connection_lost', import_id: null },
  ]);
  expect(after.attempts).toEqual([]);
}

async function state(db: Session) {
  return {
    events: (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM events'))[0]?.n,
    runs: await db.query<{
      run_id: string;
      outcome: string;
      error_code: string | null;
      import_id: string | null;
    }>('SELECT run_id, outcome, error_code, import_id::text AS import_id FROM import_runs ORDER BY id'),
    attempts: await db.query<{ run_id: string; import_id: string | null }>(
      'SELECT run_id, import_id::text AS import_id FROM import_attempts',
    ),
  };
}

describe.skipIf(!process.env.DATABASE_URL)(
  'a connection lost around the COMMIT of an import (PostgreSQL)',
  () => {
    it('a COMMIT the server committed and whose answer was lost is reported and recorded committed', async () => {
      const { target, proxy } = await setUp({ mode: 'after_commit_answered' });
      const metrics = new Metrics();
      const lines: Record<string, unknown>[] = [];

      const result = await importThrough(proxy, metrics, lines);

      expect(proxy.cuts).toBe(1);
      expect(result).toMatchObject({
        outcome: 'committed',
        eventsAppended: LIGHTHOUSE_LAST + 1,
        firstOrdinal: 0,
      });
      expect(result.error).toBeUndefined();
      const after = await state(target.db);
      expect(after.events).toBe(LIGHTHOUSE_LAST + 1);
      expect(after.runs).toEqual([
        { run_id: result.runId, outcome: 'committed', error_code: null, import_id: expect.any(String) },
      ]);
      expect(after.attempts).toEqual([]);
      const confirmed = lines.find((line) => line.event === LOG_EVENTS.commitConfirmed);
      expect(confirmed?.msg).toContain('lost after COMMIT was sent');
      expect(await metrics.registry.getSingleMetricAsString('chronicle_imports_total')).toContain(
        'chronicle_imports_total{outcome="committed"} 1',
      );
      expect(await metrics.registry.getSingleMetricAsString('chronicle_import_rollback_total')).not.toContain(
        'code=',
      );
      // The package is in: importing it again is a no-op with the same chain.
      const again = await importPackage(target.db, LIGHTHOUSE, { campaign: 'cut' });
      expect(again).toMatchObject({
        outcome: 'noop',
        tipHash: result.tipHash,
        stateDigest: result.stateDigest,
      });
    });

    it('a connection cut mid-transaction that the server did not notice does not leave the campaign locked', async () => {
      // The proxy cuts the import off as it starts writing edges, and keeps the server's side open and silent (a
      // failed proxy or NAT): the server session, mid-transaction, holds the campaign's lock until TCP gives up.
      const { target, proxy } = await setUp({
        mode: 'at_marked_silently',
        marker: 'COPY edges',
        cutsAtMost: 1,
      });

      const result = await importThrough(proxy, new Metrics(), []);

      expect(proxy.cuts).toBe(1);
      await expectRolledBackAndRecorded(target.db, result);
      // Its session was ended: nothing holds a lock of the campaign or of the attempt, and the next import goes in.
      await expect
        .poll(() =>
          target.db.query(
            `SELECT l.pid FROM pg_locks l WHERE l.locktype = 'advisory'
                AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
          ),
        )
        .toEqual([]);
      const next = await importPackage(target.db, LIGHTHOUSE, { campaign: 'cut', lockTimeout: '2s' });
      expect(next).toMatchObject({ outcome: 'committed', firstOrdinal: 0 });
    });

    it("ends only the lost import's own session: not one looking at its attempt, nor one in another database", async () => {
      const target = await pgTestDatabase();
      cleanups.push(() => target.drop());
      const runId = 'watched-run';
      await target.db.query(
        `INSERT INTO import_attempts (run_id, campaign, pid, host, started_at)
       VALUES ($1, 'cut', 4242, 'gone-host', '2026-03-01T08:00:00Z')`,
        [runId],
      );
      const lockKey = [0x43485241, runId];
      const watchers: pg.Client[] = [];
      for (const [url, lock] of [
        // What another import's sweep (or `chronicle runs`) holds while it looks at the attempt.
        [target.url, 'pg_try_advisory_xact_lock'],
        // The same key, held as the attempt's own lock is, in another database of the server.
        [process.env.DATABASE_URL ?? '', 'pg_advisory_lock_shared'],
      ] as const) {
        const watcher = new pg.Client({ connectionString: url });
        watcher.on('error', () => {});
        await watcher.connect();
        cleanups.push(() => watcher.end().catch(() => {}));
        await watcher.query('BEGIN');
        await watcher.query(`SELECT ${lock}($1::int, hashtext($2))`, lockKey);
        watchers.push(watcher);
      }

      const outcome = await readCommitOutcome(target.db, runId, '5s');

      expect(outcome).toBe('not_committed');
      for (const watcher of watchers) {
        expect((await watcher.query('SELECT 1 AS alive')).rows).toEqual([{ alive: 1 }]);
      }
    });

    it('a stop asked for as the answer is lost changes nothing: committed, and recorded so', async () => {
      const stop = stopAtCut();
      const { target, proxy } = await setUp({ mode: 'after_commit_answered', onCut: stop.onCut });

      const result = await importThrough(proxy, new Metrics(), [], stop.signal);

      expect(stop.signal.aborted).toBe(true);
      expect(result.outcome).toBe('committed');
      expect((await state(target.db)).runs).toEqual([
        { run_id: result.runId, outcome: 'committed', error_code: null, import_id: expect.any(String) },
      ]);
    });

    it('a stop asked for while the outcome cannot be read leaves it unknown, not rolled back', async () => {
      const stop = stopAtCut();
      const { target, proxy } = await setUp({
        mode: 'after_commit_answered',
        unreachableAfter: true,
        onCut: stop.onCut,
      });

      const result = await importThrough(proxy, new Metrics(), [], stop.signal);

      expect(result).toMatchObject({ outcome: 'unknown', error: { code: 'db.commit_unknown' } });
      const after = await state(target.db);
      expect(after.runs).toEqual([]);
      expect(after.attempts).toEqual([{ run_id: result.runId, import_id: expect.any(String) }]);
    });

    it('imports as many as the pool has connections, all losing their answers at once, read back committed', async () => {
      const { target, proxy } = await setUp({ mode: 'after_commit_answered' });
      const db = await openDatabase({ databaseUrl: proxy.url, migrate: false });
      cleanups.push(() => db.close());

      const campaigns = ['a', 'b', 'c', 'd'];
      const results = await Promise.all(
        campaigns.map((campaign) => importPackage(db, LIGHTHOUSE, { campaign, lockTimeout: '5s' })),
      );

      expect(proxy.cuts).toBe(4);
      expect(results.map((result) => result.outcome)).toEqual([
        'committed',
        'committed',
        'committed',
        'committed',
      ]);
      const after = await state(target.db);
      expect(after.events).toBe(4 * (LIGHTHOUSE_LAST + 1));
      expect(after.runs.map((run) => run.outcome)).toEqual([
        'committed',
        'committed',
        'committed',
        'committed',
      ]);
      expect(after.attempts).toEqual([]);
    });

    it('a run record whose answer is lost is found written on a new connection, and counted once', async () => {
      const { target, proxy } = await setUp({
        mode: 'after_marked_answered',
        marker: 'WITH ended AS (DELETE FROM import_attempts',
        cutsAtMost: 1,
      });
      const metrics = new Metrics();
      const lines: Record<string, unknown>[] = [];

      const result = await importThrough(proxy, metrics, lines);

      expect(proxy.cuts).toBe(1);
      expect(result.outcome).toBe('committed');
      expect(lines.filter((line) => line.event === LOG_EVENTS.runRecordFailed)).toEqual([]);
      const after = await state(target.db);
      expect(after.runs).toEqual([
        { run_id: result.runId, outcome: 'committed', error_code: null, import_id: expect.any(String) },
      ]);
      expect(after.attempts).toEqual([]);
      expect(await metrics.registry.getSingleMetricAsString('chronicle_imports_total')).toContain(
        'chronicle_imports_total{outcome="committed"} 1',
      );
    });

    it('a COMMIT that never reached the server rolls back and is recorded so', async () => {
      const { target, proxy } = await setUp({ mode: 'before_commit' });
      const metrics = new Metrics();

      const result = await importThrough(proxy, metrics, []);

      expect(proxy.cuts).toBe(1);
      await expectRolledBackAndRecorded(target.db, result);
    });

    it('a COMMIT lost on the way while the server keeps the session open: its session is ended, and it rolled back', async () => {
      const { target, proxy } = await setUp({ mode: 'before_commit_silently' });

      // Left alone, the server's session would keep its transaction (and the campaign's lock) until TCP gave up.
      const result = await importThrough(proxy, new Metrics(), []);

      expect(proxy.cuts).toBe(1);
      await expectRolledBackAndRecorded(target.db, result);
      expect(
        (await importPackage(target.db, LIGHTHOUSE, { campaign: 'cut', lockTimeout: '5s' })).outcome,
      ).toBe('committed');
    });

    it('when no connection can read whether it committed: outcome unknown, exit 3, and the next import records it', async () => {
      const { target, proxy } = await setUp({ mode: 'after_commit_answered', unreachableAfter: true });

      const run = await spawnCli(['import', LIGHTHOUSE, '--campaign', 'cut', '--json'], {
        env: { DATABASE_URL: proxy.url, CHRONICLE_DATABASE_URL: '' },
      });

      expect(run.code).toBe(3);
      expect(run.json).toMatchObject({
        outcome: 'unknown',
        error: { code: 'db.commit_unknown', campaign: 'cut' },
      });
      const before = await state(target.db);
      expect(before.runs).toEqual([]);
      expect(before.attempts).toEqual([
        { run_id: (run.json as { run_id: string }).run_id, import_id: expect.any(String) },
      ]);

      const next = await importPackage(target.db, LIGHTHOUSE, { campaign: 'cut' });

      expect(next.outcome).toBe('noop');
      const after = await state(target.db);
      expect(after.events).toBe(LIGHTHOUSE_LAST + 1);
      expect(after.runs.map(({ outcome, error_code }) => [outcome, error_code])).toEqual([
        ['committed', null],
        ['noop', null],
      ]);
      expect(after.attempts).toEqual([]);
    });

    it('an attempt whose row was written as its connection broke is left for the next import, which counts it once', async () => {
      // The server writes the attempt's row, its answer is lost, and the server is unreachable from then on: nothing
      // can be recorded, and the row is left. This process must not count the attempt: the next import does.
      const { target, proxy } = await setUp({
        marker: 'pg_advisory_lock_shared',
        mode: 'after_marked_answered',
        unreachableAfter: true,
      });
      const own = new Metrics();

      const result = await importThrough(proxy, own, []);

      expect(result).toMatchObject({ outcome: 'rolled_back', error: { code: 'db.connection_lost' } });
      expect((await state(target.db)).attempts).toEqual([{ run_id: result.runId, import_id: null }]);
      expect(await own.registry.getSingleMetricAsString('chronicle_imports_total')).not.toContain('outcome=');
      const finder = new Metrics();
      expect((await importPackage(target.db, LIGHTHOUSE, { campaign: 'cut', metrics: finder })).outcome).toBe(
        'committed',
      );
      expect((await state(target.db)).runs.map((run) => [run.run_id, run.outcome, run.error_code])).toEqual([
        [result.runId, 'rolled_back', 'import.abandoned'],
        [expect.any(String), 'committed', null],
      ]);
      expect(await finder.registry.getSingleMetricAsString('chronicle_imports_total')).toContain(
        'chronicle_imports_total{outcome="rolled_back"} 1',
      );
    });

    it('says so on the terminal: the import may be committed, and how it will be known', async () => {
      const { target, proxy } = await setUp({ mode: 'after_commit_answered', unreachableAfter: true });

      const run = await spawnCli(['import', LIGHTHOUSE, '--campaign', 'cut'], {
        env: { DATABASE_URL: proxy.url, CHRONICLE_DATABASE_URL: '' },
      });

      expect(run.code).toBe(3);
      const [attempt] = (await state(target.db)).attempts;
      expect(run.stderr).toContain(
        'unknown: [db.commit_unknown] the database connection was lost after COMMIT',
      );
      expect(run.stderr).toContain('the import may be committed');
      expect(run.stderr).toContain(`run id         ${attempt?.run_id}`);
      expect(run.stderr).not.toContain('nothing was written');
    });
  },
);
