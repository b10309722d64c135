/**
 * SIGKILL at every fault point, PostgreSQL only: the real CLI runs as a child process with
 * `--inject-fault <point>:kill` and kills itself there. The process cannot write a run record, so every table,
 * import_runs included, is exactly as it was; the next import commits with ordinals continuing. Killed after
 * the commit, the import stays committed and the next run is a no-op.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  databaseDigest,
  fixedClock,
  importPackage,
  planImport,
  sequentialRunIds,
  verifyCampaign,
} from '../../src/index.js';
import { openTestDatabase, type TestDatabase } from '../support/databases.js';
import { databaseArgs, runChild } from './support/child-cli.js';
import { ledgerState, range, runRecords } from './support/ledger.js';
import {
  BASE_EVENTS,
  BASE_PACKAGE,
  eventsOf,
  generateAttempt,
  type Scratch,
  scratch,
} from './support/packages.js';

const HAS_PG = Boolean(process.env.DATABASE_URL);
if (!HAS_PG) console.warn('[skip] DATABASE_URL is not set: the SIGKILL fault-point tests need PostgreSQL');

const KILL_POINTS = [
  'before-phase:manifest',
  'before-phase:entity',
  'before-phase:edge',
  'before-phase:ontology',
  'before-phase:lore',
  'before-phase:finalization',
  'after-events:1',
  'after-events:8',
  'after-events:30',
  'before-import-log',
  'before-commit',
];
const AFTER_COMMIT = 'after-commit-before-run-record';

describe.runIf(HAS_PG)('SIGKILL at fault points on pg', () => {
  let target: TestDatabase;
  let work: Scratch;
  let attempt: string;
  let attemptEvents = 0;
  let caseNumber = 0;
  const runIds = sequentialRunIds('kill');
  const options = (campaign: string) => ({
    campaign,
    clock: fixedClock('2026-03-01T08:00:00.000Z', 1000n),
    runId: runIds,
  });

  async function campaignWithBase(): Promise<string> {
    caseNumber += 1;
    const campaign = `kill-${caseNumber}`;
    const base = await importPackage(target.db, BASE_PACKAGE, options(campaign));
    expect(base).toMatchObject({ outcome: 'committed', lastOrdinal: BASE_EVENTS - 1 });
    return campaign;
  }

  function killedImport(campaign: string, point: string) {
    const { args, env } = databaseArgs(target);
    return runChild(
      [...args, 'import', attempt, '--campaign', campaign, '--inject-fault', `${point}:kill`, '--json'],
      {
        env: { ...env, CHRONICLE_ALLOW_FAULTS: '1' },
      },
    );
  }

  beforeAll(async () => {
    target = await openTestDatabase('pg');
    work = scratch('kill');
    attempt = (await generateAttempt(work)).dir;
    attemptEvents = eventsOf((await planImport(attempt)).counts);
  });
  afterAll(async () => {
    await target?.drop();
    work?.cleanup();
  });

  it.each(KILL_POINTS)('%s:kill leaves every table as it was; the next import commits', async (point) => {
    const campaign = await campaignWithBase();
    const before = await databaseDigest(target.db);

    const killed = await killedImport(campaign, point);

    expect(killed).toMatchObject({ code: null, signal: 'SIGKILL', stdout: '' });
    expect(await databaseDigest(target.db)).toBe(before);
    const retry = await importPackage(target.db, attempt, options(campaign));
    expect(retry).toMatchObject({
      outcome: 'committed',
      firstOrdinal: BASE_EVENTS,
      lastOrdinal: BASE_EVENTS + attemptEvents - 1,
    });
    expect((await ledgerState(target.db, campaign)).ordinals).toEqual(range(0, BASE_EVENTS + attemptEvents));
    expect((await runRecords(target.db, campaign)).map((r) => r.outcome)).toEqual(['committed', 'committed']);
    expect(await verifyCampaign(target.db, campaign)).toMatchObject({ ok: true, problems: [] });
  });

  it(`${AFTER_COMMIT}:kill leaves the import committed with no run record; the next run is a no-op`, async () => {
    const campaign = await campaignWithBase();

    const killed = await killedImport(campaign, AFTER_COMMIT);

    expect(killed).toMatchObject({ code: null, signal: 'SIGKILL' });
    const committed = await ledgerState(target.db, campaign);
    expect(committed.ordinals).toEqual(range(0, BASE_EVENTS + attemptEvents));
    expect((await runRecords(target.db, campaign)).map((r) => r.outcome)).toEqual(['committed']);
    const rerun = await importPackage(target.db, attempt, options(campaign));
    expect(rerun).toMatchObject({ outcome: 'noop', firstOrdinal: BASE_EVENTS, tipHash: committed.tip });
    expect((await runRecords(target.db, campaign)).map((r) => r.outcome)).toEqual(['committed', 'noop']);
    expect(await verifyCampaign(target.db, campaign)).toMatchObject({ ok: true, problems: [] });
  });
});
