/**
 * SIGKILL at fault points: the real CLI runs as a child process with `--inject-fault <point>:kill` and kills
 * itself there. The process cannot write its run record: the ledger, projections and ImportLog are exactly as
 * they were, and only its row in import_attempts is left; the next import records the attempt (`rolled_back`,
 * `import.abandoned`) and commits with ordinals continuing. Killed after the commit, the import stays committed,
 * the next import writes its run record (`committed`) and is a no-op. Every point on PostgreSQL; on PGlite (the embedded default,
 * whose data dir the killed process leaves locked and mid-write) one point per kind of moment.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  databaseDigest,
  fixedClock,
  importPackage,
  openDatabase,
  planImport,
  sequentialRunIds,
  verifyCampaign,
} from '../../src/index.js';
import { openTestDatabase, type TestDatabase } from '../support/databases.js';
import { databaseArgs, runChild } from './support/child-cli.js';
import { attemptsLeft, ledgerState, outcomes, range, runRecords } from './support/ledger.js';
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

  it.each(KILL_POINTS)('%s:kill changes nothing but is recorded; the next import commits', async (point) => {
    const campaign = await campaignWithBase();
    const before = await databaseDigest(target.db, { except: ['import_attempts'] });

    const killed = await killedImport(campaign, point);

    expect(killed).toMatchObject({ code: null, signal: 'SIGKILL', stdout: '' });
    expect(await databaseDigest(target.db, { except: ['import_attempts'] })).toBe(before);
    expect(await attemptsLeft(target.db)).toEqual([campaign]);
    const retry = await importPackage(target.db, attempt, options(campaign));
    expect(retry).toMatchObject({
      outcome: 'committed',
      firstOrdinal: BASE_EVENTS,
      lastOrdinal: BASE_EVENTS + attemptEvents - 1,
    });
    expect((await ledgerState(target.db, campaign)).ordinals).toEqual(range(0, BASE_EVENTS + attemptEvents));
    expect(await attemptsLeft(target.db)).toEqual([]);
    expect(outcomes(await runRecords(target.db, campaign))).toEqual([
      'committed',
      'rolled_back import.abandoned',
      'committed',
    ]);
    expect(await verifyCampaign(target.db, campaign)).toMatchObject({ ok: true, problems: [] });
  });

  it(`${AFTER_COMMIT}:kill leaves the import committed, recorded by the next run, a no-op`, async () => {
    const campaign = await campaignWithBase();

    const killed = await killedImport(campaign, AFTER_COMMIT);

    expect(killed).toMatchObject({ code: null, signal: 'SIGKILL' });
    const committed = await ledgerState(target.db, campaign);
    expect(committed.ordinals).toEqual(range(0, BASE_EVENTS + attemptEvents));
    expect(await attemptsLeft(target.db)).toEqual([campaign]);
    expect((await runRecords(target.db, campaign)).map((r) => r.outcome)).toEqual(['committed']);
    const rerun = await importPackage(target.db, attempt, options(campaign));
    expect(rerun).toMatchObject({ outcome: 'noop', firstOrdinal: BASE_EVENTS, tipHash: committed.tip });
    const runs = await runRecords(target.db, campaign);
    expect(outcomes(runs)).toEqual(['committed', 'committed', 'noop']);
    expect(runs[1]?.import_id).toBe(runs[2]?.import_id);
    expect(await attemptsLeft(target.db)).toEqual([]);
    expect(await verifyCampaign(target.db, campaign)).toMatchObject({ ok: true, problems: [] });
  });
});

/** One point before the transaction, one inside it with events written, one just before its commit. */
const PGLITE_KILL_POINTS = ['before-phase:entity', 'after-events:8', 'before-commit'];

describe('SIGKILL at fault points on PGlite (the embedded default)', () => {
  let work: Scratch;
  let attempt: string;
  let attemptEvents = 0;
  const runIds = sequentialRunIds('kill-pglite');
  const options = {
    campaign: 'killed',
    clock: fixedClock('2026-03-01T08:00:00.000Z', 1000n),
    runId: runIds,
  };

  /** A data dir holding the base import, closed (the child needs it), and the digest of every table. */
  async function dataDirWithBase(): Promise<{ target: TestDatabase; before: string }> {
    const target = await openTestDatabase('pglite');
    expect(await importPackage(target.db, BASE_PACKAGE, options)).toMatchObject({ outcome: 'committed' });
    const before = await databaseDigest(target.db, { except: ['import_attempts'] });
    await target.db.close();
    return { target, before };
  }

  async function killedImport(target: TestDatabase, point: string) {
    const { args, env } = databaseArgs(target);
    const killed = await runChild(
      [
        ...args,
        'import',
        attempt,
        '--campaign',
        options.campaign,
        '--inject-fault',
        `${point}:kill`,
        '--json',
      ],
      { env: { ...env, CHRONICLE_ALLOW_FAULTS: '1' } },
    );
    expect(killed).toMatchObject({ code: null, signal: 'SIGKILL', stdout: '' });
    // The killed process's lock file is still there: opening the data dir takes it over.
    target.db = await openDatabase({ dataDir: target.dataDir });
  }

  beforeAll(async () => {
    work = scratch('kill-pglite');
    attempt = (await generateAttempt(work)).dir;
    attemptEvents = eventsOf((await planImport(attempt)).counts);
  });
  afterAll(() => work?.cleanup());

  it.each(PGLITE_KILL_POINTS)(
    '%s:kill changes nothing but is recorded; the next import commits',
    async (point) => {
      const { target, before } = await dataDirWithBase();
      try {
        await killedImport(target, point);

        expect(await databaseDigest(target.db, { except: ['import_attempts'] })).toBe(before);
        expect(await attemptsLeft(target.db)).toEqual([options.campaign]);
        const retry = await importPackage(target.db, attempt, options);
        expect(retry).toMatchObject({
          outcome: 'committed',
          firstOrdinal: BASE_EVENTS,
          lastOrdinal: BASE_EVENTS + attemptEvents - 1,
        });
        expect(outcomes(await runRecords(target.db, options.campaign))).toEqual([
          'committed',
          'rolled_back import.abandoned',
          'committed',
        ]);
        expect(await verifyCampaign(target.db, options.campaign)).toMatchObject({ ok: true, problems: [] });
      } finally {
        await target.drop();
      }
    },
  );

  it(`${AFTER_COMMIT}:kill leaves the import committed, recorded by the next run, a no-op`, async () => {
    const { target } = await dataDirWithBase();
    try {
      await killedImport(target, AFTER_COMMIT);

      const committed = await ledgerState(target.db, options.campaign);
      expect(committed.ordinals).toEqual(range(0, BASE_EVENTS + attemptEvents));
      const rerun = await importPackage(target.db, attempt, options);
      expect(rerun).toMatchObject({ outcome: 'noop', tipHash: committed.tip });
      expect(outcomes(await runRecords(target.db, options.campaign))).toEqual([
        'committed',
        'committed',
        'noop',
      ]);
      expect(await verifyCampaign(target.db, options.campaign)).toMatchObject({ ok: true, problems: [] });
    } finally {
      await target.drop();
    }
  });
});
