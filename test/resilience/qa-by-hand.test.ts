/**
 * The acceptance steps as QA runs them by hand, with the real binary:
 *   CHRONICLE_ALLOW_FAULTS=1 chronicle import <pkg> --inject-fault after-events:3 --json --metrics-file m.prom
 * exits 1 with outcome rolled_back and the fault point named; m.prom holds chronicle_import_rollback_total with
 * the phase; verify passes; the same import without the flag commits with ordinals continuing. Without
 * CHRONICLE_ALLOW_FAULTS=1, --inject-fault is refused with exit 2.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli } from '../support/cli.js';
import { backends } from '../support/databases.js';
import { jsonLines } from './support/child-cli.js';
import { type CliDatabase, cliDatabase } from './support/cli-database.js';
import { ledgerState } from './support/ledger.js';
import { BASE_EVENTS, BASE_PACKAGE, generateAttempt, type Scratch, scratch } from './support/packages.js';

describe.each(backends())('QA by hand on %s', (backend) => {
  let target: CliDatabase;
  let work: Scratch;
  let attempt: string;
  const chronicle = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    spawnCli([...target.args, ...args], { env: { ...target.env, CHRONICLE_ALLOW_FAULTS: '', ...env } });

  beforeAll(async () => {
    target = await cliDatabase(backend);
    work = scratch(`qa-${backend}`);
    attempt = (await generateAttempt(work)).dir;
  });
  afterAll(async () => {
    await target?.drop();
    work?.cleanup();
  });

  it('after-events:3 rolls back with exit 1; m.prom, verify, then the clean import continues', {
    timeout: 120_000,
  }, async () => {
    const base = await chronicle(['import', BASE_PACKAGE, '--json']);
    expect(base.code, base.stdout + base.stderr).toBe(0);
    expect(base.json).toMatchObject({
      outcome: 'committed',
      first_ordinal: 0,
      last_ordinal: BASE_EVENTS - 1,
    });

    const metricsFile = work.path('m.prom');
    const faulty = await chronicle(
      ['import', attempt, '--inject-fault', 'after-events:3', '--json', '--metrics-file', metricsFile],
      { CHRONICLE_ALLOW_FAULTS: '1', CHRONICLE_LOG_LEVEL: 'info' },
    );
    expect(faulty.code, faulty.stdout + faulty.stderr).toBe(1);
    expect(faulty.json).toMatchObject({
      outcome: 'rolled_back',
      events_appended: 0,
      error: { code: 'fault.injected', phase: 'entity', fault_point: 'after-events:3', fault_kind: 'throw' },
    });
    const prom = readFileSync(metricsFile, 'utf8');
    // Labelled with the campaign and the command, so that the textfile collector can read it beside other runs' files.
    const labels = 'campaign="default",command="import"';
    expect(prom).toContain(
      `chronicle_import_rollback_total{phase="entity",code="fault.injected",${labels}} 1`,
    );
    expect(prom).toContain(`chronicle_imports_total{outcome="rolled_back",${labels}} 1`);
    expect(prom).not.toContain('chronicle_imports_total{outcome="committed"');
    expect(prom).toContain(`chronicle_import_idempotent_total{${labels}} 0`);
    const rolledBack = jsonLines(faulty.stderr).filter((line) => line.event === 'import.rolled_back');
    expect(rolledBack).toEqual([
      expect.objectContaining({
        phase: 'entity',
        code: 'fault.injected',
        fault_point: 'after-events:3',
        run_id: faulty.json.run_id,
      }),
    ]);
    expect(faulty.stderr).not.toContain(work.dir);

    const verified = await chronicle(['verify', '--json']);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(verified.json).toMatchObject({ ok: true, events: BASE_EVENTS, problems: [] });

    const clean = await chronicle(['import', attempt, '--json']);
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);
    expect(clean.json).toMatchObject({ outcome: 'committed', first_ordinal: BASE_EVENTS });
    const events = Number(clean.json.events_appended);
    expect(clean.json.last_ordinal).toBe(BASE_EVENTS + events - 1);
    const state = await target.read((db) => ledgerState(db, 'default'));
    expect(state.ordinals).toEqual(Array.from({ length: BASE_EVENTS + events }, (_, i) => i));
    expect((await chronicle(['verify', '--json'])).code).toBe(0);
  });

  it('after-commit-before-run-record: the CLI dies like a crash (exit 3) after the commit; runs lists it; the rerun records it and is a noop', async () => {
    const campaign = 'crash-after-commit';
    const crashed = await chronicle(
      [
        'import',
        attempt,
        '--campaign',
        campaign,
        '--inject-fault',
        'after-commit-before-run-record',
        '--json',
      ],
      { CHRONICLE_ALLOW_FAULTS: '1' },
    );
    expect(crashed.code, crashed.stdout + crashed.stderr).toBe(3);
    expect(crashed.json).toMatchObject({
      outcome: 'error',
      error: { code: 'fault.injected', fault_point: 'after-commit-before-run-record' },
    });
    const runs = await chronicle(['runs', '--campaign', campaign, '--json']);
    expect(runs.json).toMatchObject({
      runs: [],
      in_progress: [],
      abandoned: [{ campaign, import_id: expect.stringMatching(/^[0-9]+$/) }],
    });
    const rerun = await chronicle(['import', attempt, '--campaign', campaign, '--json']);
    expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
    expect(rerun.json).toMatchObject({ outcome: 'noop', first_ordinal: 0 });
    const recorded = await chronicle(['runs', '--campaign', campaign, '--json']);
    expect(recorded.json).toMatchObject({
      runs: [
        { outcome: 'committed', error_code: null },
        { outcome: 'noop', error_code: null },
      ],
      abandoned: [],
    });
    expect((await chronicle(['verify', '--campaign', campaign, '--json'])).code).toBe(0);
  });

  it('--inject-fault is refused with exit 2 unless CHRONICLE_ALLOW_FAULTS=1, and nothing is recorded', async () => {
    const runsBefore = await target.read((db) => db.query('SELECT run_id FROM import_runs'));
    for (const allow of ['', '0', 'true']) {
      const refused = await chronicle(['import', attempt, '--inject-fault', 'after-events:3', '--json'], {
        CHRONICLE_ALLOW_FAULTS: allow,
      });
      expect(refused.code, refused.stdout + refused.stderr).toBe(2);
      expect(refused.json).toMatchObject({ outcome: 'error', error: { code: 'usage.faults_not_allowed' } });
      expect(refused.stderr).toContain('CHRONICLE_ALLOW_FAULTS=1');
    }
    const unknownPoint = await chronicle(['import', attempt, '--inject-fault', 'after-lunch', '--json'], {
      CHRONICLE_ALLOW_FAULTS: '1',
    });
    expect(unknownPoint.code, unknownPoint.stdout + unknownPoint.stderr).toBe(2);
    expect(unknownPoint.json).toMatchObject({
      error: { code: 'usage.fault_point', fault_point: 'after-lunch' },
    });
    const unknownKind = await chronicle(
      ['import', attempt, '--inject-fault', 'before-commit:explode', '--json'],
      {
        CHRONICLE_ALLOW_FAULTS: '1',
      },
    );
    expect(unknownKind.code, unknownKind.stdout + unknownKind.stderr).toBe(2);
    expect(unknownKind.json).toMatchObject({
      error: { code: 'usage.fault_kind', fault_point: 'before-commit', fault_kind: 'explode' },
    });
    expect(await target.read((db) => db.query('SELECT run_id FROM import_runs'))).toEqual(runsBefore);
  });

  it('the terminate kind rolls back on PostgreSQL and is refused with exit 2 on embedded PGlite', async () => {
    const run = await chronicle(
      ['import', attempt, '--campaign', 'terminate', '--inject-fault', 'before-commit:terminate', '--json'],
      {
        CHRONICLE_ALLOW_FAULTS: '1',
      },
    );
    if (backend === 'pg') {
      expect(run.code, run.stdout + run.stderr).toBe(1);
      expect(run.json).toMatchObject({
        outcome: 'rolled_back',
        error: {
          code: 'fault.injected',
          phase: 'finalization',
          fault_point: 'before-commit',
          fault_kind: 'terminate',
        },
      });
    } else {
      expect(run.code, run.stdout + run.stderr).toBe(2);
      expect(run.json).toMatchObject({ error: { code: 'usage.fault_kind', fault_point: 'before-commit' } });
    }
    expect(await target.read((db) => ledgerState(db, 'terminate'))).toMatchObject({
      ordinals: [],
      imports: 0,
    });
  });
});
