/**
 * Every corruption scenario of the QA harness, on a campaign that already holds an import: importing the
 * broken copy rolls back with the scenario's documented code and phase, writes nothing but its run record,
 * and the clean package then commits with ordinals continuing. Both for a new package and for a broken copy
 * of the package the campaign already holds; and once more through the real CLI, as QA runs it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  corruptPackage,
  databaseDigest,
  fixedClock,
  type ImportOptions,
  importPackage,
  listScenarios,
  Metrics,
  sequentialRunIds,
  verifyCampaign,
} from '../../src/index.js';
import { backends, openTestDatabase, type TestDatabase } from '../support/databases.js';
import { runChild } from './support/child-cli.js';
import { type CliDatabase, cliDatabase } from './support/cli-database.js';
import { ledgerState, range, runRecords } from './support/ledger.js';
import {
  BASE_EVENTS,
  BASE_PACKAGE,
  eventsOf,
  generateAttempt,
  type Scratch,
  scratch,
} from './support/packages.js';

const SCENARIOS = listScenarios();

describe.each(backends())('corruption scenarios on %s', (backend) => {
  let target: TestDatabase;
  let work: Scratch;
  let attempt: string;
  let attemptEvents = 0;
  let caseNumber = 0;
  const runIds = sequentialRunIds(`corrupt-${backend}`);
  const options = (campaign: string, metrics = new Metrics()): ImportOptions => ({
    campaign,
    metrics,
    clock: fixedClock('2026-04-01T08:00:00.000Z', 1000n),
    runId: runIds,
  });

  beforeAll(async () => {
    target = await openTestDatabase(backend);
    work = scratch(`corrupt-${backend}`);
    const generated = await generateAttempt(work);
    attempt = generated.dir;
    attemptEvents = eventsOf(generated.expectedCounts);
  });
  afterAll(async () => {
    await target?.drop();
    work?.cleanup();
  });

  it('the harness lists the six scenarios of the issue', () => {
    expect(SCENARIOS.map((s) => s.name).sort()).toEqual(
      ['collision', 'conflicting-tag', 'dangling-edge', 'invalid-yaml', 'missing-file', 'tamper'].sort(),
    );
  });

  const cases = SCENARIOS.flatMap((scenario) =>
    (['new package', 'package already imported'] as const).map((source) => ({ ...scenario, source })),
  );
  it.each(cases)(
    '$name of the $source: $expectedCode, nothing written, the clean import continues',
    async (scenario) => {
      caseNumber += 1;
      const campaign = `corrupt-${caseNumber}`;
      await importPackage(target.db, BASE_PACKAGE, options(campaign));
      const source = scenario.source === 'new package' ? attempt : BASE_PACKAGE;
      const broken = await corruptPackage(source, scenario.name, work.path(`case-${caseNumber}`));
      const before = await databaseDigest(target.db, { except: ['import_runs'] });
      const metrics = new Metrics();

      const result = await importPackage(target.db, broken.dir, options(campaign, metrics));

      expect(result.outcome).toBe('rolled_back');
      expect(result.error).toMatchObject({ code: scenario.expectedCode, phase: scenario.expectedPhase });
      expect(result.error?.message).not.toContain(work.dir);
      expect(await databaseDigest(target.db, { except: ['import_runs'] })).toBe(before);
      expect(result.manifestHash).toMatch(/^[0-9a-f]{64}$/);
      const runs = await runRecords(target.db, campaign);
      expect(runs[1]?.manifest_hash).toBe(result.manifestHash);
      expect(runs.map((r) => [r.outcome, r.error_code, r.phase])).toEqual([
        ['committed', null, null],
        ['rolled_back', scenario.expectedCode, scenario.expectedPhase],
      ]);
      const rollbacks = await metrics.registry.getSingleMetric('chronicle_import_rollback_total')?.get();
      expect(rollbacks?.values).toEqual([
        { labels: { phase: scenario.expectedPhase, code: scenario.expectedCode }, value: 1 },
      ]);

      const clean = await importPackage(target.db, attempt, options(campaign));
      expect(clean).toMatchObject({
        outcome: 'committed',
        firstOrdinal: BASE_EVENTS,
        lastOrdinal: BASE_EVENTS + attemptEvents - 1,
      });
      expect((await ledgerState(target.db, campaign)).ordinals).toEqual(
        range(0, BASE_EVENTS + attemptEvents),
      );
      expect(await verifyCampaign(target.db, campaign)).toMatchObject({ ok: true, problems: [] });
    },
  );
});

describe.each(backends())('chronicle harness corrupt + chronicle import on %s', (backend) => {
  let target: CliDatabase;
  let work: Scratch;

  beforeAll(async () => {
    target = await cliDatabase(backend);
    work = scratch(`corrupt-cli-${backend}`);
  });
  afterAll(async () => {
    await target?.drop();
    work?.cleanup();
  });

  it('each scenario the CLI writes is refused by the CLI with its documented code and exit 1', {
    timeout: 240_000,
  }, async () => {
    const cli = (args: string[]) => runChild([...target.args, ...args], { env: target.env });
    const attempt = (await generateAttempt(work)).dir;
    const base = await cli(['import', BASE_PACKAGE, '--json']);
    expect(base.code, base.stdout + base.stderr).toBe(0);

    const listed = await cli(['harness', 'list', '--json']);
    expect(listed.code, listed.stdout + listed.stderr).toBe(0);
    const scenarios = (
      JSON.parse(listed.stdout) as {
        scenarios: { name: string; expected_code: string; expected_phase: string }[];
      }
    ).scenarios;
    expect(scenarios.map((s) => [s.name, s.expected_code])).toEqual(
      SCENARIOS.map((s) => [s.name, s.expectedCode]),
    );

    const before = await target.read((db) => databaseDigest(db, { except: ['import_runs'] }));
    for (const scenario of scenarios) {
      const out = work.path(`cli-${scenario.name}`);
      const corrupted = await cli([
        'harness',
        'corrupt',
        attempt,
        '--scenario',
        scenario.name,
        '--out',
        out,
        '--json',
      ]);
      expect(corrupted.code, corrupted.stderr).toBe(0);
      expect(JSON.parse(corrupted.stdout)).toMatchObject({
        scenario: scenario.name,
        expected_code: scenario.expected_code,
      });

      const imported = await cli(['import', out, '--json']);
      expect({ scenario: scenario.name, code: imported.code }).toEqual({ scenario: scenario.name, code: 1 });
      expect(JSON.parse(imported.stdout)).toMatchObject({
        outcome: 'rolled_back',
        error: { code: scenario.expected_code, phase: scenario.expected_phase },
      });
    }
    expect(await target.read((db) => databaseDigest(db, { except: ['import_runs'] }))).toBe(before);

    const clean = await cli(['import', attempt, '--json']);
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);
    expect(JSON.parse(clean.stdout)).toMatchObject({ outcome: 'committed', first_ordinal: BASE_EVENTS });
    expect((await cli(['verify', '--json'])).code).toBe(0);
  });
});
