/**
 * Reruns are no-ops: import, rerun, rerun again from a copy of the package at another path. No new event,
 * the same replay_ordinal sequence, the same tip, every table but import_runs byte-identical, and the run
 * records say committed, noop, noop (each pointing at the one import). A rerun that would not import the same
 * thing is refused instead, leaving every table as it was: files not listed in content_index changed under the
 * same manifest, or the other lore embeddings setting where it changes the chunks.
 */
import { cpSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultPoints } from '../../src/importer/faults.js';
import {
  databaseDigest,
  type ImportResult,
  importPackage,
  Metrics,
  planImport,
  verifyCampaign,
} from '../../src/index.js';
import { backends, openTestDatabase, type TestDatabase } from '../support/databases.js';
import { ledgerState, range, runRecords } from './support/ledger.js';
import {
  ANNEX_PACKAGE,
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
  /** Imports `dir` into `campaign` and expects it refused with `code`, every table but import_runs unchanged. */
  async function expectRefused(dir: string, campaign: string, code: string, embeddings = true) {
    const before = await databaseDigest(target.db, { except: ['import_runs'] });
    const stages: string[] = [];
    const result = await importPackage(target.db, dir, {
      campaign,
      plan: { embeddings },
      onStage: (stage) => stages.push(stage),
    });
    // Recognised from its manifest before anything is planned.
    expect(stages).not.toContain('read');
    expect(result).toMatchObject({
      outcome: 'rolled_back',
      eventsAppended: 0,
      error: { code, phase: 'manifest' },
    });
    expect(await databaseDigest(target.db, { except: ['import_runs'] })).toBe(before);
    const runs = await runRecords(target.db, campaign);
    expect(runs.at(-1)).toMatchObject({ run_id: result.runId, outcome: 'rolled_back', error_code: code });
    return result;
  }

  const expectNoop = (rerun: ImportResult, first: ImportResult) =>
    expect(rerun).toMatchObject({
      outcome: 'noop',
      eventsAppended: 0,
      stateDigest: first.stateDigest,
      tipHash: first.tipHash,
      lastOrdinal: first.lastOrdinal,
    });

  it('refuses a rerun whose unlisted files changed under the same manifest (package.changed_since_import)', async () => {
    const campaign = 'rerun-unlisted';
    const dir = work.path('unlisted');
    cpSync(ANNEX_PACKAGE, dir, { recursive: true });
    const unlisted = `${dir}/entities/watchtower.json`;
    const entity = { stable_id: '01JD3K8Q6V2M4T9XWBZC5REWTC', kind: 'location', tags: [], affordances: [] };
    writeFileSync(unlisted, JSON.stringify({ ...entity, name: 'The Watchtower' }));
    const first = await importPackage(target.db, dir, { campaign });
    expect(first).toMatchObject({ outcome: 'committed', counts: { entities: 3 } });
    expectNoop(await importPackage(target.db, dir, { campaign }), first);

    writeFileSync(unlisted, JSON.stringify({ ...entity, name: 'The Old Watchtower' }));
    const refused = await expectRefused(dir, campaign, 'package.changed_since_import');
    expect(refused.error).toMatchObject({
      package_id: first.packageId,
      manifest_hash: first.manifestHash,
      unlisted_files: ['entities/watchtower.json'],
      expected_hash: expect.any(String),
    });
    expect(refused.error?.message).toContain('not listed in its content_index');
    expect(refused.error?.message).toContain(
      '(the one it has now changed, or one was added or removed: entities/watchtower.json)',
    );
  });

  it('a rerun with the other embeddings setting is refused where it changes the chunks, with both digests', async () => {
    const withHints = await planImport(BASE_PACKAGE);
    const withoutHints = await planImport(BASE_PACKAGE, { embeddings: false });
    expect(withoutHints.stateDigest).not.toBe(withHints.stateDigest);

    for (const [campaign, embeddings, planned, other] of [
      ['rerun-embeddings-on', true, withHints, withoutHints],
      ['rerun-embeddings-off', false, withoutHints, withHints],
    ] as const) {
      const first = await importPackage(target.db, BASE_PACKAGE, { campaign, plan: { embeddings } });
      expect(first).toMatchObject({ outcome: 'committed', stateDigest: planned.stateDigest });
      expectNoop(await importPackage(target.db, BASE_PACKAGE, { campaign, plan: { embeddings } }), first);
      expectNoop(
        await importPackage(target.db, BASE_PACKAGE, { campaign, plan: { embeddings, strict: true } }),
        first,
      );

      const refused = await expectRefused(
        BASE_PACKAGE,
        campaign,
        'package.imported_with_other_settings',
        !embeddings,
      );
      expect(refused.error).toMatchObject({
        package_id: first.packageId,
        manifest_hash: first.manifestHash,
        expected_hash: planned.stateDigest,
        actual_hash: other.stateDigest,
      });
      expect(refused.error?.message).toContain(
        `imported into the campaign with lore embeddings ${embeddings ? 'on' : 'off'}`,
      );
      expect(await verifyCampaign(target.db, campaign)).toMatchObject({ ok: true, events: BASE_EVENTS });
    }
  });

  it('a rerun with the other embeddings setting is a no-op where no lore file has an embedding_hint', async () => {
    const campaign = 'rerun-embeddings-none';
    const first = await importPackage(target.db, ANNEX_PACKAGE, { campaign });
    expect(first.outcome).toBe('committed');
    const digest = await databaseDigest(target.db, { except: ['import_runs'] });
    for (const embeddings of [false, true, false]) {
      expectNoop(await importPackage(target.db, ANNEX_PACKAGE, { campaign, plan: { embeddings } }), first);
    }
    expect(await databaseDigest(target.db, { except: ['import_runs'] })).toBe(digest);
    const runs = await runRecords(target.db, campaign);
    expect(runs.map((run) => run.outcome)).toEqual(['committed', 'noop', 'noop', 'noop']);
  });
  // Two imports of one package into a campaign with nothing imported yet both skip the rerun check; the second
  // meets the first's import only under the campaign lock. (PGlite runs one transaction at a time: no race.)
  it.runIf(backend === 'pg')(
    'an import that finds its manifest committed meanwhile with the other embeddings setting is refused, not a no-op',
    async () => {
      const campaign = 'rerun-embeddings-race';
      let releaseFirst = () => {};
      const firstMayCommit = new Promise<void>((resolve) => {
        releaseFirst = resolve;
      });
      let firstHoldsLock = () => {};
      const firstAtCommit = new Promise<void>((resolve) => {
        firstHoldsLock = resolve;
      });
      const holdBeforeCommit: FaultPoints = {
        eventThresholds: new Set(),
        specs: [],
        reach: async (point) => {
          if (point !== 'before-commit') return;
          firstHoldsLock();
          await firstMayCommit;
        },
      };
      const first = importPackage(target.db, BASE_PACKAGE, { campaign, faults: holdBeforeCommit });
      await firstAtCommit;
      // The second has found nothing committed and planned when it reaches the transaction (and waits for the lock).
      const second = importPackage(target.db, BASE_PACKAGE, {
        campaign,
        plan: { embeddings: false },
        onStage: (stage) => {
          if (stage === 'apply') releaseFirst();
        },
      });
      const [committed, refused] = await Promise.all([first, second]);
      expect(committed).toMatchObject({ outcome: 'committed', eventsAppended: BASE_EVENTS });
      expect(refused).toMatchObject({
        outcome: 'rolled_back',
        error: {
          code: 'package.imported_with_other_settings',
          expected_hash: committed.stateDigest,
          actual_hash: (await planImport(BASE_PACKAGE, { embeddings: false })).stateDigest,
        },
      });
      expect(await ledgerState(target.db, campaign)).toMatchObject({
        ordinals: range(0, BASE_EVENTS),
        imports: 1,
      });
    },
  );
});
