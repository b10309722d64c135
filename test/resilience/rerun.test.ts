/**
 * Reruns are no-ops: import, rerun, rerun again from a copy of the package at another path. No new event,
 * the same replay_ordinal sequence, the same tip, every table but import_runs byte-identical, and the run
 * records say committed, noop, noop (each pointing at the one import).
 */
import { cpSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseDigest, importPackage, Metrics, verifyCampaign } from '../../src/index.js';
import { backends, openTestDatabase, type TestDatabase } from '../support/databases.js';
import { ledgerState, range, runRecords } from './support/ledger.js';
import {
  BASE_EVENTS,
  BASE_PACKAGE,
  eventsOf,
  generateAttempt,
  type Scratch,
  scratch,
} from './support/packages.js';

describe.each(backends())('reruns on %s', (backend) => {
  let target: TestDatabase;
  let work: Scratch;

  beforeAll(async () => {
    target = await openTestDatabase(backend);
    work = scratch(`rerun-${backend}`);
  });
  afterAll(async () => {
    await target?.drop();
    work?.cleanup();
  });

  it('import, rerun, rerun from a copy elsewhere: committed, noop, noop and nothing else changes', async () => {
    const campaign = 'rerun';
    await importPackage(target.db, BASE_PACKAGE, { campaign });
    const generated = await generateAttempt(work, 'original');
    const metrics = new Metrics();

    const first = await importPackage(target.db, generated.dir, { campaign, metrics });
    const events = eventsOf(generated.expectedCounts);
    expect(first).toMatchObject({ outcome: 'committed', eventsAppended: events, firstOrdinal: BASE_EVENTS });
    const committed = await ledgerState(target.db, campaign);
    expect(committed.ordinals).toEqual(range(0, BASE_EVENTS + events));
    const digest = await databaseDigest(target.db, { except: ['import_runs'] });

    const second = await importPackage(target.db, generated.dir, { campaign, metrics });
    const copy = work.path('copied/elsewhere/package');
    cpSync(generated.dir, copy, { recursive: true });
    const third = await importPackage(target.db, copy, { campaign, metrics });

    for (const rerun of [second, third]) {
      expect(rerun).toMatchObject({
        outcome: 'noop',
        eventsAppended: 0,
        manifestHash: first.manifestHash,
        stateDigest: first.stateDigest,
        firstOrdinal: first.firstOrdinal,
        lastOrdinal: first.lastOrdinal,
        tipHash: first.tipHash,
      });
      expect(rerun.error).toBeUndefined();
    }
    expect(await ledgerState(target.db, campaign)).toEqual(committed);
    expect(committed.tip).toBe(first.tipHash);
    expect(await databaseDigest(target.db, { except: ['import_runs'] })).toBe(digest);

    const runs = (await runRecords(target.db, campaign)).slice(1);
    expect(runs.map((r) => r.outcome)).toEqual(['committed', 'noop', 'noop']);
    expect(runs.map((r) => r.run_id)).toEqual([first.runId, second.runId, third.runId]);
    expect(new Set(runs.map((r) => r.import_id)).size).toBe(1);
    expect(runs[0]?.import_id).not.toBeNull();
    expect(new Set(runs.map((r) => r.manifest_hash))).toEqual(new Set([first.manifestHash]));

    const imports = await metrics.registry.getSingleMetric('chronicle_imports_total')?.get();
    expect(imports?.values.map((v) => [v.labels.outcome, v.value])).toEqual([
      ['committed', 1],
      ['noop', 2],
    ]);
    expect(await verifyCampaign(target.db, campaign)).toMatchObject({
      ok: true,
      events: BASE_EVENTS + events,
    });
  });
});
