/**
 * A child importer killed with SIGKILL mid-import, by timing and with no fault point armed (PostgreSQL): the CLI
 * imports a generated package of 20,000 objects into a campaign that already holds an import; when its log says
 * the edge phase started (thousands of entity events already inserted, the transaction open and holding the
 * campaign lock), the test kills it. The ledger, projections and ImportLog are exactly as they were; the next
 * import records the killed attempt (`rolled_back`, `import.abandoned`), commits the same package with ordinals
 * continuing, and the chain verifies. Killed earlier, while its package is read and planned (no transaction yet),
 * the attempt is recorded the same way. Killed while it waits for its campaign's lock, it is seen as gone within
 * seconds (the server checks for its client), not once the lock comes or lock_timeout passes.
 */
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GeneratedPackage, generatePackage } from '../../src/harness/index.js';
import { attemptsLeft as attemptsOf } from '../../src/importer/attempts.js';
import { databaseDigest, importPackage, verifyCampaign } from '../../src/index.js';
import { openTestDatabase, type TestDatabase } from '../support/databases.js';
import { databaseArgs, startCli } from './support/child-cli.js';
import { attemptsLeft, ledgerState, outcomes, range, runRecords } from './support/ledger.js';
import { BASE_EVENTS, BASE_PACKAGE, eventsOf, type Scratch, scratch } from './support/packages.js';

const HAS_PG = Boolean(process.env.DATABASE_URL);
if (!HAS_PG) console.warn('[skip] DATABASE_URL is not set: the SIGKILL-by-timing test needs PostgreSQL');

const OBJECTS = 20_000;
const CAMPAIGN = 'killed-by-timing';

/**
 * Advisory locks granted in the test database: while the importer's transaction is open, its campaign lock and
 * the lock on its attempt.
 */
async function advisoryLocksHeld(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
        WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()`,
    );
    return Number(result.rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

describe.runIf(HAS_PG)('SIGKILL mid-import by timing on pg', () => {
  let target: TestDatabase;
  let work: Scratch;
  let generated: GeneratedPackage;

  beforeAll(async () => {
    target = await openTestDatabase('pg');
    work = scratch('timing');
    generated = await generatePackage({ objects: OBJECTS, seed: 20_000, outDir: work.path('large') });
  }, 120_000);
  afterAll(async () => {
    await target?.drop();
    work?.cleanup();
  });

  it(`kills a ${OBJECTS}-object import in its edge phase: nothing changes, the next import commits`, {
    timeout: 300_000,
  }, async () => {
    const base = await importPackage(target.db, BASE_PACKAGE, { campaign: CAMPAIGN });
    expect(base).toMatchObject({ outcome: 'committed', lastOrdinal: BASE_EVENTS - 1 });
    const before = await databaseDigest(target.db, { except: ['import_attempts'] });

    const { args, env } = databaseArgs(target);
    let locksAtKill = -1;
    let killing = false;
    const killInEdgePhase = (line: string, child: ChildProcess) => {
      if (killing || !line.includes('"import.phase.start"') || !line.includes('"phase":"edge"')) return;
      killing = true;
      advisoryLocksHeld(target.url ?? '').then(
        (locks) => {
          locksAtKill = locks;
          child.kill('SIGKILL');
        },
        () => child.kill('SIGKILL'),
      );
    };
    const run = startCli([...args, 'import', generated.dir, '--campaign', CAMPAIGN, '--json'], {
      env: { ...env, CHRONICLE_LOG_LEVEL: 'info' },
      onStderrLine: killInEdgePhase,
    });
    const killed = await run.done;

    expect(killed).toMatchObject({ code: null, signal: 'SIGKILL', stdout: '' });
    expect(killed.stderr).toContain('"phase":"entity"');
    expect(killed.stderr).not.toContain('import.committed');
    expect(locksAtKill).toBe(2);
    expect(await databaseDigest(target.db, { except: ['import_attempts'] })).toBe(before);
    expect(await attemptsLeft(target.db)).toEqual([CAMPAIGN]);

    const retry = await importPackage(target.db, generated.dir, { campaign: CAMPAIGN });
    const events = eventsOf(generated.expectedCounts);
    expect(retry).toMatchObject({
      outcome: 'committed',
      firstOrdinal: BASE_EVENTS,
      lastOrdinal: BASE_EVENTS + events - 1,
    });
    const state = await ledgerState(target.db, CAMPAIGN);
    expect(state.ordinals).toEqual(range(0, BASE_EVENTS + events));
    expect(state.logSequence).toEqual(range(1, state.logSequence.length));
    expect(outcomes(await runRecords(target.db, CAMPAIGN))).toEqual([
      'committed',
      'rolled_back import.abandoned',
      'committed',
    ]);
    expect(await attemptsLeft(target.db)).toEqual([]);
    expect(await verifyCampaign(target.db, CAMPAIGN)).toMatchObject({ ok: true, problems: [] });
  });

  it('kills an import while its package is still read and planned, before its transaction: recorded too', {
    timeout: 300_000,
  }, async () => {
    const campaign = 'killed-while-planning';
    const { args, env } = databaseArgs(target);
    const run = startCli([...args, 'import', generated.dir, '--campaign', campaign, '--json'], { env });
    // The attempt's row is written first thing; planning 20,000 objects takes a while before the transaction.
    for (;;) {
      const [row] = await target.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM import_attempts WHERE campaign = $1',
        [campaign],
      );
      if (row?.n === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const locksAtKill = await advisoryLocksHeld(target.url ?? '');
    run.child.kill('SIGKILL');
    const killed = await run.done;

    expect(killed).toMatchObject({ code: null, signal: 'SIGKILL', stdout: '' });
    expect(locksAtKill).toBe(1); // the attempt's own: no campaign lock, no transaction yet
    expect(await ledgerState(target.db, campaign)).toMatchObject({ ordinals: [] });
    const next = await importPackage(target.db, BASE_PACKAGE, { campaign });
    expect(next).toMatchObject({ outcome: 'committed', firstOrdinal: 0 });
    expect(outcomes(await runRecords(target.db, campaign))).toEqual([
      'rolled_back import.abandoned',
      'committed',
    ]);
  });

  it('kills an import waiting for its campaign lock: seen as gone within seconds, not after lock_timeout', {
    timeout: 120_000,
  }, async () => {
    const campaign = 'killed-while-waiting';
    const holder = new pg.Client({ connectionString: target.url ?? '' });
    await holder.connect();
    try {
      // Another import's transaction, as far as the lock goes: the campaign lock, held until the end.
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `chronicle.campaign:${campaign}`,
      ]);
      const { args, env } = databaseArgs(target);
      const run = startCli([...args, 'import', BASE_PACKAGE, '--campaign', campaign, '--json'], {
        env: { ...env, CHRONICLE_LOCK_TIMEOUT: '10min' },
      });
      await expect
        .poll(
          async () => {
            // (Not on the holder's connection: a transaction sees pg_stat_activity as it first read it.)
            const [waiting] = await target.db.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM pg_stat_activity
                WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory'`,
            );
            return waiting?.n;
          },
          { timeout: 60_000, interval: 50 },
        )
        .toBe(1);
      run.child.kill('SIGKILL');
      expect(await run.done).toMatchObject({ code: null, signal: 'SIGKILL', stdout: '' });

      // What `chronicle runs` shows: abandoned (its server process has ended), while the lock is still held.
      await expect
        .poll(async () => (await attemptsOf(target.db, campaign)).abandoned.length, {
          timeout: 15_000,
          interval: 200,
        })
        .toBe(1);
      expect((await attemptsOf(target.db, campaign)).running).toEqual([]);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
    const next = await importPackage(target.db, BASE_PACKAGE, { campaign });
    expect(next).toMatchObject({ outcome: 'committed', firstOrdinal: 0 });
    expect(outcomes(await runRecords(target.db, campaign))).toEqual([
      'rolled_back import.abandoned',
      'committed',
    ]);
  });
});
