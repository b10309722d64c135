/**
 * An attempt whose process died mid-import is recorded (src/importer/attempts.ts): the row it left in
 * import_attempts becomes a run record `rolled_back`, `import.abandoned`, once, written (and counted) by the next
 * import into its campaign; `chronicle runs` lists it meanwhile. An attempt whose process lives is left alone: on PostgreSQL its connection holds the lock; on
 * PGlite (one process per data dir) only this process's own attempts can be alive. The SIGKILL tests of
 * test/resilience/ show it end to end.
 */
import { hostname } from 'node:os';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { Session } from '../../src/db/database.js';
import {
  beginAttempt,
  endAttempt,
  forgetAttempt,
  nameAttemptPackage,
  recordAbandonedAttempts,
} from '../../src/importer/attempts.js';
import type { FaultPoints } from '../../src/importer/faults.js';
import {
  armFaults,
  createLogger,
  fixedClock,
  importPackage,
  LOG_EVENTS,
  openDatabase,
  parseFaultSpec,
} from '../../src/index.js';
import { Metrics } from '../../src/observability/metrics.js';
import { ANNEX, LIGHTHOUSE } from '../audit/support.js';
import { spawnCli } from '../support/cli.js';
import { NO_DATABASE } from '../support/cli-target.js';
import { backends, openTestDatabase, type TestDatabase } from '../support/databases.js';

const LEFT_BEHIND = {
  runId: 'killed-run',
  campaign: 'lost',
  packageId: '01JD3K8Q6V2M4T9XWBZC5REANX',
  manifestHash: 'a'.repeat(64),
  startedAtIso: '2026-03-01T08:00:00.000000Z',
};

/** The row a process leaves when it dies after its transaction began (here: a process that never was). */
async function leaveAttempt(db: Session, runId = LEFT_BEHIND.runId): Promise<void> {
  await db.query(
    `INSERT INTO import_attempts (run_id, campaign, package_id, manifest_hash, pid, host, started_at)
     VALUES ($1, $2, $3, $4, 4242, 'gone-host', $5::timestamptz)`,
    [runId, LEFT_BEHIND.campaign, LEFT_BEHIND.packageId, LEFT_BEHIND.manifestHash, LEFT_BEHIND.startedAtIso],
  );
}

async function runsOf(db: Session, campaign: string) {
  return db.query<Record<string, unknown>>(
    `SELECT run_id, outcome, phase, error_code, error_message, package_id, manifest_hash,
            to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS started_at,
            to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS finished_at
       FROM import_runs WHERE campaign = $1 ORDER BY id`,
    [campaign],
  );
}

async function attemptsLeft(db: Session): Promise<number> {
  const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM import_attempts');
  return row?.n ?? -1;
}

const open: TestDatabase[] = [];
afterEach(async () => {
  for (const target of open.splice(0)) await target.drop();
});

describe.each(backends())('abandoned import attempts on %s', (backend) => {
  it('the next import into its campaign records an attempt whose process is gone, once, and counts the rollback', async () => {
    const target = await openTestDatabase(backend);
    open.push(target);
    await leaveAttempt(target.db);
    const elsewhere = new Metrics();
    const metrics = new Metrics();

    const other = await importPackage(target.db, LIGHTHOUSE, { campaign: 'other', metrics: elsewhere });
    const leftByOther = await attemptsLeft(target.db);
    const first = await importPackage(target.db, LIGHTHOUSE, {
      campaign: LEFT_BEHIND.campaign,
      metrics,
      clock: fixedClock('2026-03-02T09:00:00.000Z'),
    });
    const second = await importPackage(target.db, ANNEX, { campaign: LEFT_BEHIND.campaign, metrics });

    expect([other.outcome, first.outcome, second.outcome]).toEqual(['committed', 'committed', 'committed']);
    // An import into another campaign leaves it, and counts nothing of it.
    expect(leftByOther).toBe(1);
    expect(await elsewhere.registry.getSingleMetricAsString('chronicle_import_rollback_total')).not.toContain(
      'import.abandoned',
    );
    const runs = await runsOf(target.db, LEFT_BEHIND.campaign);
    expect(runs.filter((run) => run.run_id === LEFT_BEHIND.runId)).toEqual([
      {
        run_id: LEFT_BEHIND.runId,
        outcome: 'rolled_back',
        phase: null,
        error_code: 'import.abandoned',
        error_message: expect.stringContaining('process 4242 on gone-host'),
        package_id: LEFT_BEHIND.packageId,
        manifest_hash: LEFT_BEHIND.manifestHash,
        started_at: '2026-03-01T08:00:00Z',
        finished_at: '2026-03-02T09:00:00Z',
      },
    ]);
    expect(runs[0]?.error_message).toContain('nothing was committed');
    expect(await attemptsLeft(target.db)).toBe(0);
    const rollbacks = await metrics.registry.getSingleMetricAsString('chronicle_import_rollback_total');
    expect(rollbacks).toContain('chronicle_import_rollback_total{phase="unknown",code="import.abandoned"} 1');
    expect(await metrics.registry.getSingleMetricAsString('chronicle_imports_total')).toContain(
      'chronicle_imports_total{outcome="rolled_back"} 1',
    );
  });

  it('an attempt that committed and died before its run record is recorded committed, with its import', async () => {
    const target = await openTestDatabase(backend);
    open.push(target);
    const committed = await importPackage(target.db, LIGHTHOUSE, { campaign: 'lost' });
    const [imported] = await target.db.query<{ id: string }>('SELECT id::text AS id FROM imports');
    await leaveAttempt(target.db);
    await target.db.query('UPDATE import_attempts SET import_id = $1::bigint', [imported?.id]);
    const metrics = new Metrics();

    const found = await recordAbandonedAttempts(target.db, { metrics });

    expect(committed.outcome).toBe('committed');
    expect(found).toMatchObject([{ runId: LEFT_BEHIND.runId, importId: imported?.id }]);
    expect((await runsOf(target.db, 'lost')).slice(1)).toEqual([
      expect.objectContaining({
        run_id: LEFT_BEHIND.runId,
        outcome: 'committed',
        error_code: null,
        phase: null,
      }),
    ]);
    expect(await attemptsLeft(target.db)).toBe(0);
    expect(await metrics.registry.getSingleMetricAsString('chronicle_imports_total')).toContain(
      'chronicle_imports_total{outcome="committed"} 1',
    );
  });

  it('an attempt whose run record cannot be written leaves no row behind to block or haunt the next imports', async () => {
    const target = await openTestDatabase(backend);
    open.push(target);
    const sameId = () => 'reused-run-id';
    await importPackage(target.db, LIGHTHOUSE, { campaign: 'reuse', runId: sameId });

    // The run id is taken: the rolled-back attempt cannot be recorded (logged), and its row goes all the same.
    const refused = await importPackage(target.db, ANNEX, {
      campaign: 'reuse',
      runId: sameId,
      faults: armFaults([parseFaultSpec('before-phase:edge')]),
    });
    expect(await attemptsLeft(target.db)).toBe(0);
    const next = await importPackage(target.db, ANNEX, { campaign: 'reuse' });

    expect([refused.outcome, next.outcome]).toEqual(['rolled_back', 'committed']);
    expect((await runsOf(target.db, 'reuse')).map((r) => r.outcome)).toEqual(['committed', 'committed']);
  });

  it('an attempt whose run record and row both cannot be written is counted once, by the import that records it', async () => {
    const target = await openTestDatabase(backend);
    open.push(target);
    // A server going away refuses every statement; here two triggers refuse the two the attempt's end needs.
    await target.db.query(`
      CREATE FUNCTION refuse_for_test() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'refused by the test'; END $$;
      CREATE TRIGGER refuse_runs BEFORE INSERT ON import_runs FOR EACH ROW EXECUTE FUNCTION refuse_for_test();
      CREATE TRIGGER refuse_attempt_end BEFORE DELETE ON import_attempts
        FOR EACH ROW EXECUTE FUNCTION refuse_for_test();`);
    const refused = new Metrics();
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });

    const first = await importPackage(target.db, LIGHTHOUSE, {
      campaign: 'unrecorded',
      metrics: refused,
      logger: createLogger({ level: 'info', destination }),
    });
    await target.db.query(
      'DROP TRIGGER refuse_runs ON import_runs; DROP TRIGGER refuse_attempt_end ON import_attempts',
    );
    const finder = new Metrics();
    const second = await importPackage(target.db, ANNEX, { campaign: 'unrecorded', metrics: finder });

    expect([first.outcome, second.outcome]).toEqual(['committed', 'committed']);
    expect(lines.find((line) => line.event === LOG_EVENTS.runRecordFailed)).toMatchObject({
      left_for_next_import: true,
      msg: expect.stringContaining('the next import into the campaign records it'),
    });
    // Not counted by the attempt itself, then counted (and recorded committed) by the import that found it.
    expect(await refused.registry.getSingleMetricAsString('chronicle_imports_total')).not.toContain(
      'outcome=',
    );
    expect(await finder.registry.getSingleMetricAsString('chronicle_imports_total')).toContain(
      'chronicle_imports_total{outcome="committed"} 2',
    );
    expect((await runsOf(target.db, 'unrecorded')).map((run) => [run.run_id, run.outcome])).toEqual([
      [first.runId, 'committed'],
      [second.runId, 'committed'],
    ]);
  });

  it('chronicle runs lists it as abandoned, and records nothing', async () => {
    const target = await openTestDatabase(backend);
    open.push(target);
    await leaveAttempt(target.db);
    if (backend === 'pglite') await target.db.close();
    const flags =
      backend === 'pg' ? ['--database-url', target.url ?? ''] : ['--data-dir', target.dataDir ?? ''];

    const listed = await spawnCli([...flags, 'runs', '--json'], { env: NO_DATABASE });
    const again = await spawnCli([...flags, 'runs'], { env: NO_DATABASE });

    expect(listed.code).toBe(0);
    expect(listed.json).toEqual({
      runs: [],
      in_progress: [],
      abandoned: [
        {
          run_id: LEFT_BEHIND.runId,
          campaign: LEFT_BEHIND.campaign,
          package_id: LEFT_BEHIND.packageId,
          manifest_hash: LEFT_BEHIND.manifestHash,
          pid: 4242,
          host: 'gone-host',
          started_at: LEFT_BEHIND.startedAtIso,
          import_id: null,
        },
      ],
    });
    expect(again.stdout).toContain(`abandoned  ${LEFT_BEHIND.campaign}`);
    expect(again.stdout).toContain(
      '0 runs, 1 abandoned and not recorded yet (the next import into its campaign',
    );
    if (backend === 'pglite') target.db = await openDatabase({ dataDir: target.dataDir ?? '' });
    expect(await attemptsLeft(target.db)).toBe(1);
  });
});

describe.runIf(Boolean(process.env.DATABASE_URL))('an import in progress on pg', () => {
  it('is listed as running and left alone while its connection lives, and recorded once it is gone', async () => {
    const target = await openTestDatabase('pg');
    open.push(target);
    // Another process's import: its row and its lock, on the connection it keeps.
    const worker = await openDatabase({ databaseUrl: target.url ?? '' });
    const kept = await worker.reserve();
    await beginAttempt(kept, { ...LEFT_BEHIND, runId: 'live-run' });
    await nameAttemptPackage(kept, 'live-run', LEFT_BEHIND.packageId, LEFT_BEHIND.manifestHash);
    forgetAttempt('live-run'); // not this process's own: as if another process had written it
    try {
      expect(await recordAbandonedAttempts(target.db)).toEqual([]);
      expect(await attemptsLeft(target.db)).toBe(1);
      const listed = await spawnCli(['--database-url', target.url ?? '', 'runs', '--json'], {
        env: NO_DATABASE,
      });
      expect(listed.json).toEqual({
        runs: [],
        in_progress: [
          {
            run_id: 'live-run',
            campaign: LEFT_BEHIND.campaign,
            package_id: LEFT_BEHIND.packageId,
            manifest_hash: LEFT_BEHIND.manifestHash,
            pid: process.pid,
            host: hostname(),
            started_at: LEFT_BEHIND.startedAtIso,
          },
        ],
        abandoned: [],
      });
      const shown = await spawnCli(['--database-url', target.url ?? '', 'runs'], { env: NO_DATABASE });
      expect(shown.stdout).toContain(`running  ${LEFT_BEHIND.campaign}`);
      expect(shown.stdout).toContain('0 runs, 1 in progress');
    } finally {
      kept.release(); // back to its pool, the lock still held: the attempt lives on
      expect(await recordAbandonedAttempts(target.db)).toEqual([]);
      await worker.close();
    }

    expect(await recordAbandonedAttempts(target.db)).toMatchObject([{ runId: 'live-run', pid: process.pid }]);
    expect(await attemptsLeft(target.db)).toBe(0);
    expect(await recordAbandonedAttempts(target.db)).toEqual([]);
  });
});

describe.runIf(Boolean(process.env.DATABASE_URL))('an import ending on pg', () => {
  it('keeps its lock past its transaction, to its run record, so that nobody takes it for abandoned', async () => {
    const target = await openTestDatabase('pg');
    open.push(target);
    const kept = await target.db.reserve();
    await beginAttempt(kept, { ...LEFT_BEHIND, runId: 'ending-run' });
    const failing = kept.transaction(async () => {
      throw new Error('refused');
    });
    await expect(failing).rejects.toThrow('refused');

    // Rolled back, its run record not yet written: another process sees it running, and records nothing.
    const meanwhile = await spawnCli(['--database-url', target.url ?? '', 'runs', '--json'], {
      env: NO_DATABASE,
    });
    expect(meanwhile.json).toMatchObject({ runs: [], in_progress: [{ run_id: 'ending-run' }] });
    expect(kept.usable).toBe(true);

    await endAttempt(kept, 'ending-run'); // without a run record: from now on it is abandoned
    kept.release();
    await expect
      .poll(async () => (await recordAbandonedAttempts(target.db)).map((a) => a.runId))
      .toEqual(['ending-run']);
  });

  it('whose connection broke is recorded and counted once, by whichever import writes its run record first', async () => {
    const target = await openTestDatabase('pg');
    open.push(target);
    const runId = 'connection-lost-run';
    const own = new Metrics();
    const finder = new Metrics();
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      level: 'warn',
      destination: new Writable({
        write(chunk, _encoding, callback) {
          lines.push(
            ...String(chunk)
              .trim()
              .split('\n')
              .map((line) => JSON.parse(line)),
          );
          callback();
        },
      }),
    });
    // Mid-import the server drops the import's connection (a restart, a failover): its attempt's lock goes with it,
    // and another process's import into the campaign records the attempt as abandoned before it can record itself.
    const faults: FaultPoints = {
      eventThresholds: new Set(),
      specs: [],
      async reach(point, session) {
        if (point !== 'before-phase:edge' || !session) return;
        await session.query('SELECT pg_terminate_backend(pg_backend_pid())').catch(() => undefined);
        forgetAttempt(runId); // the finder is another process
        await expect
          .poll(
            async () =>
              (await recordAbandonedAttempts(target.db, { campaign: 'dropped', metrics: finder })).length,
          )
          .toBe(1);
        await session.query('SELECT 1'); // the connection is gone: this fails, as the import's next statement would
      },
    };

    const result = await importPackage(target.db, LIGHTHOUSE, {
      campaign: 'dropped',
      runId: () => runId,
      faults,
      metrics: own,
      logger,
    });

    expect(result).toMatchObject({
      outcome: 'rolled_back',
      error: { code: 'db.connection_lost', phase: 'edge' },
    });
    // One run record, the finder's; the attempt's own outcome is in its result and its log.
    expect((await runsOf(target.db, 'dropped')).map((r) => [r.run_id, r.outcome, r.error_code])).toEqual([
      [runId, 'rolled_back', 'import.abandoned'],
    ]);
    expect(lines.map((line) => line.event)).toEqual([LOG_EVENTS.recordedByAnother, LOG_EVENTS.rolledBack]);
    expect(lines[0]).toMatchObject({ outcome: 'rolled_back', code: 'db.connection_lost', run_id: runId });
    // Counted once in all: by the finder.
    expect(await finder.registry.getSingleMetricAsString('chronicle_imports_total')).toContain(
      'chronicle_imports_total{outcome="rolled_back"} 1',
    );
    expect(await own.registry.getSingleMetricAsString('chronicle_imports_total')).not.toContain(
      'outcome="rolled_back"',
    );
    expect(await own.registry.getSingleMetricAsString('chronicle_import_rollback_total')).not.toContain(
      'connection_lost',
    );
    expect(await attemptsLeft(target.db)).toBe(0);
  });

  it('whose connection broke after its commit is counted once when the finder recorded it committed at the same time', async () => {
    const target = await openTestDatabase('pg');
    open.push(target);
    const runId = 'committed-then-lost-run';
    // One fixed clock for both: the finder's record and the attempt's own would have the same finished_at.
    const clock = () => fixedClock('2026-03-01T09:00:00Z');
    const own = new Metrics();
    const finder = new Metrics();
    const faults: FaultPoints = {
      eventThresholds: new Set(),
      specs: [],
      async reach(point) {
        if (point !== 'after-commit-before-run-record') return;
        // Committed; then the server drops the connection that holds the attempt's lock, and another process's
        // import into the campaign records the attempt, as committed, before it can record itself.
        await target.db.query(
          `SELECT pg_terminate_backend(pid) FROM pg_locks
            WHERE locktype = 'advisory' AND mode = 'ShareLock' AND objid = hashtext($1)::oid`,
          [runId],
        );
        forgetAttempt(runId);
        await expect
          .poll(
            async () =>
              (
                await recordAbandonedAttempts(target.db, {
                  campaign: 'late',
                  clock: clock(),
                  metrics: finder,
                })
              ).length,
          )
          .toBe(1);
      },
    };

    const result = await importPackage(target.db, LIGHTHOUSE, {
      campaign: 'late',
      runId: () => runId,
      clock: clock(),
      faults,
      metrics: own,
    });

    expect(result.outcome).toBe('committed');
    const runs = await runsOf(target.db, 'late');
    expect(runs.map((r) => [r.run_id, r.outcome, r.error_code])).toEqual([[runId, 'committed', null]]);
    expect(runs[0]?.error_message).toContain('recorded now');
    // Counted once in all, by the finder: the attempt took the finder's record for its own before.
    expect(await finder.registry.getSingleMetricAsString('chronicle_imports_total')).toContain(
      'chronicle_imports_total{outcome="committed"} 1',
    );
    expect(await own.registry.getSingleMetricAsString('chronicle_imports_total')).not.toContain(
      'outcome="committed"',
    );
    expect(await attemptsLeft(target.db)).toBe(0);
  });

  it('lets more imports run at once than the pool has connections', async () => {
    const target = await openTestDatabase('pg');
    open.push(target);
    const campaigns = ['one', 'two', 'three', 'four', 'five', 'six'];

    const results = await Promise.all(
      campaigns.map((campaign) => importPackage(target.db, LIGHTHOUSE, { campaign })),
    );

    expect(results.map((r) => r.outcome)).toEqual(campaigns.map(() => 'committed'));
    const [runs] = await target.db.query<{ n: number }>('SELECT count(*)::int AS n FROM import_runs');
    expect(runs?.n).toBe(campaigns.length);
    expect(await attemptsLeft(target.db)).toBe(0);
  });
});

describe('an import in progress on PGlite', () => {
  it("is this process's own: left alone until it ends", async () => {
    const target = await openTestDatabase('pglite');
    open.push(target);
    const kept = await target.db.reserve();
    await beginAttempt(kept, { ...LEFT_BEHIND, runId: 'own-run' });

    expect(await recordAbandonedAttempts(target.db)).toEqual([]);
    await endAttempt(kept, 'own-run');
    expect(await recordAbandonedAttempts(target.db)).toMatchObject([{ runId: 'own-run' }]);
  });
});
