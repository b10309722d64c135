/**
 * Every fault point × every in-process fault kind, on a campaign that already holds an import: the attempt
 * rolls back with `fault.injected`, the phase it was in and the point named; every table but import_runs is
 * byte-identical; the attempt's run record is there; the next clean import commits with ordinals continuing
 * and the chain verifies. `after-commit-before-run-record` is the exception by design: the import is
 * committed, its run record written by the next run (`committed`), which is a no-op. (SIGKILL: fault-kill.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Phase } from '../../src/errors.js';
import {
  armFaults,
  type Counts,
  databaseDigest,
  FaultInjectedError,
  type FaultSpec,
  fixedClock,
  type ImportOptions,
  importPackage,
  planImport,
  sequentialRunIds,
  verifyCampaign,
} from '../../src/index.js';
import { backends, openTestDatabase, type TestDatabase } from '../support/databases.js';
import { ledgerState, range, runRecords } from './support/ledger.js';
import {
  BASE_EVENTS,
  BASE_PACKAGE,
  eventsOf,
  generateAttempt,
  phaseOfEvent,
  type Scratch,
  scratch,
} from './support/packages.js';

type Kind = FaultSpec['kind'];

/** Event counts for after-events points: the first event, the QA example, mid-entity, mid-edge, the last. */
const EVENT_POINTS = [
  'after-events:1',
  'after-events:3',
  'after-events:8',
  'after-events:30',
  'after-events:62',
];
const BEFORE_PHASE_POINTS: Record<string, Phase> = {
  'before-phase:manifest': 'manifest',
  'before-phase:entity': 'entity',
  'before-phase:edge': 'edge',
  'before-phase:ontology': 'ontology',
  'before-phase:lore': 'lore',
  'before-phase:finalization': 'finalization',
};
const ROLLBACK_POINTS = [
  ...Object.keys(BEFORE_PHASE_POINTS),
  ...EVENT_POINTS,
  'before-import-log',
  'before-commit',
];
const AFTER_COMMIT = 'after-commit-before-run-record';
/** What the attempt package (60 objects, seed 7) must plan to, so that the event points land where named. */
const ATTEMPT_COUNTS: Counts = { entities: 15, edges: 30, tags: 2, affordances: 1, chunks: 12 };

function kindsFor(backend: TestDatabase['backend']): Kind[] {
  return backend === 'pg' ? ['throw', 'db-error', 'terminate'] : ['throw', 'db-error'];
}

function expectedPhase(point: string): Phase {
  const phase = BEFORE_PHASE_POINTS[point];
  if (phase) return phase;
  const events = /^after-events:(\d+)$/.exec(point)?.[1];
  return events ? phaseOfEvent(Number(events), ATTEMPT_COUNTS) : 'finalization';
}

describe.each(backends())('fault points on %s', (backend) => {
  let target: TestDatabase;
  let work: Scratch;
  let attempt: string;
  let caseNumber = 0;
  const runIds = sequentialRunIds(`faults-${backend}`);
  const options = (campaign: string, faults: FaultSpec[] = []): ImportOptions => ({
    campaign,
    clock: fixedClock('2026-02-01T08:00:00.000Z', 1000n),
    runId: runIds,
    faults: armFaults(faults),
  });

  /** A new campaign holding the base import; returns its name. */
  async function campaignWithBase(): Promise<string> {
    caseNumber += 1;
    const campaign = `faults-${caseNumber}`;
    const base = await importPackage(target.db, BASE_PACKAGE, options(campaign));
    expect(base).toMatchObject({ outcome: 'committed', firstOrdinal: 0, lastOrdinal: BASE_EVENTS - 1 });
    return campaign;
  }

  /** The clean retry commits right after the base, with no gap, and the whole chain verifies. */
  async function expectCleanRetry(campaign: string): Promise<void> {
    const retry = await importPackage(target.db, attempt, options(campaign));
    const events = eventsOf(ATTEMPT_COUNTS);
    expect(retry).toMatchObject({
      outcome: 'committed',
      firstOrdinal: BASE_EVENTS,
      lastOrdinal: BASE_EVENTS + events - 1,
    });
    const state = await ledgerState(target.db, campaign);
    expect(state.ordinals).toEqual(range(0, BASE_EVENTS + events));
    expect(state.logSequence).toEqual(range(1, state.logSequence.length));
    expect(state.imports).toBe(2);
    expect(await verifyCampaign(target.db, campaign)).toMatchObject({ ok: true, problems: [] });
  }

  beforeAll(async () => {
    target = await openTestDatabase(backend);
    work = scratch(`faults-${backend}`);
    const generated = await generateAttempt(work);
    attempt = generated.dir;
    expect((await planImport(attempt)).counts).toEqual(ATTEMPT_COUNTS);
  });
  afterAll(async () => {
    await target?.drop();
    work?.cleanup();
  });

  const cases = ROLLBACK_POINTS.flatMap((point) => kindsFor(backend).map((kind) => ({ point, kind })));
  it.each(cases)(
    '$point:$kind rolls back, changes nothing, and the retry continues the chain',
    async ({ point, kind }) => {
      const campaign = await campaignWithBase();
      const before = await databaseDigest(target.db, { except: ['import_runs'] });

      const result = await importPackage(target.db, attempt, options(campaign, [{ point, kind }]));

      const phase = expectedPhase(point);
      expect(result.outcome).toBe('rolled_back');
      expect(result.error).toMatchObject({
        code: 'fault.injected',
        phase,
        fault_point: point,
        fault_kind: kind,
      });
      expect(result.error?.message).toContain(point);
      expect(await databaseDigest(target.db, { except: ['import_runs'] })).toBe(before);
      const runs = await runRecords(target.db, campaign);
      expect(runs.map((r) => r.outcome)).toEqual(['committed', 'rolled_back']);
      expect(runs[1]).toMatchObject({
        run_id: result.runId,
        phase,
        error_code: 'fault.injected',
        fault_point: point,
        import_id: null,
        manifest_hash: result.manifestHash,
      });

      await expectCleanRetry(campaign);
      expect((await runRecords(target.db, campaign)).map((r) => r.outcome)).toEqual([
        'committed',
        'rolled_back',
        'committed',
      ]);
    },
  );

  it(`${AFTER_COMMIT}:throw leaves the import committed, recorded by the next run, a no-op`, async () => {
    const campaign = await campaignWithBase();
    const before = await databaseDigest(target.db, { except: ['import_runs', 'import_attempts'] });

    const attemptRun = importPackage(
      target.db,
      attempt,
      options(campaign, [{ point: AFTER_COMMIT, kind: 'throw' }]),
    );
    await expect(attemptRun).rejects.toBeInstanceOf(FaultInjectedError);
    await expect(attemptRun).rejects.toMatchObject({ facts: { fault_point: AFTER_COMMIT } });

    const events = eventsOf(ATTEMPT_COUNTS);
    const committed = await ledgerState(target.db, campaign);
    expect(committed.ordinals).toEqual(range(0, BASE_EVENTS + events));
    expect(committed.imports).toBe(2);
    const after = await databaseDigest(target.db, { except: ['import_runs', 'import_attempts'] });
    expect(after).not.toBe(before);
    expect((await runRecords(target.db, campaign)).map((r) => r.outcome)).toEqual(['committed']);
    const [left] = await target.db.query<{ import_id: string | null }>(
      'SELECT import_id::text AS import_id FROM import_attempts',
    );
    expect(left?.import_id).toEqual(expect.any(String));

    const rerun = await importPackage(target.db, attempt, options(campaign));
    expect(rerun).toMatchObject({
      outcome: 'noop',
      eventsAppended: 0,
      firstOrdinal: BASE_EVENTS,
      lastOrdinal: BASE_EVENTS + events - 1,
      tipHash: committed.tip,
    });
    expect(await databaseDigest(target.db, { except: ['import_runs', 'import_attempts'] })).toBe(after);
    const runs = await runRecords(target.db, campaign);
    expect(runs.map((r) => r.outcome)).toEqual(['committed', 'committed', 'noop']);
    expect(runs[1]?.import_id).toBe(left?.import_id);
    expect(runs[2]?.import_id).toBe(left?.import_id);
    expect(await target.db.query('SELECT run_id FROM import_attempts')).toEqual([]);
    expect(await verifyCampaign(target.db, campaign)).toMatchObject({ ok: true, problems: [] });
  });

  it('an after-events point past the last event is never reached: the import commits', async () => {
    const campaign = await campaignWithBase();
    const past = `after-events:${eventsOf(ATTEMPT_COUNTS) + 1}`;
    const result = await importPackage(
      target.db,
      attempt,
      options(campaign, [{ point: past, kind: 'throw' }]),
    );
    expect(result).toMatchObject({ outcome: 'committed', firstOrdinal: BASE_EVENTS });
  });
});
