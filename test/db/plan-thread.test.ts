/**
 * Planning on a worker thread (big packages) while the transaction writes what is already planned must be
 * invisible to users: the same rows byte for byte as planning on this thread, the same rejection for a package
 * found bad in a later phase (after earlier phases were written), nothing left behind, the plan's own
 * rejection rather than a collision found earlier.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/canonical/index.js';
import { databaseDigest, tableDigest } from '../../src/db/table-digest.js';
import {
  armFaults,
  corruptPackage,
  fixedClock,
  generatePackage,
  type ImportOptions,
  importPackage,
  parseFaultSpec,
  sequentialRunIds,
  verifyCampaign,
} from '../../src/index.js';
import { backends, openTestDatabase, type TestDatabase } from '../support/databases.js';
import { removeTempDirs, tempDir } from '../support/temp-dirs.js';

const LIGHTHOUSE = new URL('../../fixtures/packages/lighthouse', import.meta.url).pathname;

// Run ids are unique within a database (import_runs): one sequence per thread mode, each mode has its database.
const runIds = { worker: sequentialRunIds('threads-worker'), this: sequentialRunIds('threads-this') };
const options = (planThread: 'worker' | 'this', extra: Partial<ImportOptions> = {}): ImportOptions => ({
  campaign: 'threads',
  clock: fixedClock('2026-01-01T12:00:00.000Z', 1000n),
  runId: runIds[planThread],
  planThread,
  ...extra,
});

let generated: string;
beforeAll(async () => {
  generated = join(tempDir('plan-thread'), 'generated');
  // 3000 objects: more than one batch per phase, and enough files for the worker in `auto` mode too
  await generatePackage({ objects: 3000, seed: 11, outDir: generated });
});
afterAll(removeTempDirs);

describe.each(backends())('planning on a worker thread (%s)', (backend) => {
  let onWorker: TestDatabase;
  let onThis: TestDatabase;
  beforeAll(async () => {
    [onWorker, onThis] = await Promise.all([openTestDatabase(backend), openTestDatabase(backend)]);
  });
  afterAll(async () => {
    await Promise.all([onWorker?.drop(), onThis?.drop()]);
  });

  it('writes byte for byte what planning on this thread writes, and the chain verifies', async () => {
    for (const dir of [LIGHTHOUSE, generated]) {
      const viaWorker = await importPackage(onWorker.db, dir, options('worker'));
      const viaThis = await importPackage(onThis.db, dir, options('this'));
      expect(viaWorker.outcome).toBe('committed');
      expect({ ...viaWorker, runId: '', durationMs: 0 }).toEqual({ ...viaThis, runId: '', durationMs: 0 });
    }
    // (run records and import rows carry run ids and durations of their own)
    const tables = async (target: TestDatabase) => {
      const { import_runs: _runs, imports: _imports, ...rest } = await tableDigest(target.db);
      return rest;
    };
    expect(await tables(onWorker)).toEqual(await tables(onThis));
    expect(await verifyCampaign(onWorker.db, 'threads')).toMatchObject({ ok: true, problems: [] });
  });

  // tamper and missing-file are found while the files are read (on both threads), the others in a later phase
  for (const scenario of ['tamper', 'missing-file', 'invalid-yaml', 'dangling-edge'] as const) {
    it(`rolls back a package rejected (${scenario}) with the error planning on this thread gives`, async () => {
      const corrupted = await corruptPackage(generated, scenario, join(tempDir('plan-thread'), scenario));
      const before = await databaseDigest(onWorker.db, { except: ['import_runs'] });
      const result = await importPackage(
        onWorker.db,
        corrupted.dir,
        options('worker', { campaign: scenario }),
      );
      expect(result.outcome).toBe('rolled_back');
      expect(result.error).toMatchObject({ phase: corrupted.expectedPhase, code: corrupted.expectedCode });
      const onThisThread = await importPackage(
        onThis.db,
        corrupted.dir,
        options('this', { campaign: scenario }),
      );
      expect(onThisThread.error).toEqual(result.error);
      expect(await databaseDigest(onWorker.db, { except: ['import_runs'] })).toBe(before);
    });
  }

  it('reports the package’s own rejection rather than a collision with the campaign found earlier', async () => {
    // lighthouse with one entity changed (a collision with lighthouse itself), then also a broken lore file
    const changed = join(tempDir('plan-thread'), 'changed');
    cpSync(LIGHTHOUSE, changed, { recursive: true });
    const wren = join(changed, 'entities', 'wren.json');
    writeFileSync(wren, `${readFileSync(wren, 'utf8')}\n`);
    const manifestPath = join(changed, 'package.manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    manifest.content_index['entities/wren.json'] = sha256Hex(readFileSync(wren));
    writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
    const broken = join(tempDir('plan-thread'), 'broken');
    cpSync(changed, broken, { recursive: true });
    writeFileSync(join(broken, 'lore', 'broken.md'), '---\ntitle: [unterminated\n---\nText.\n');

    for (const [target, thread] of [
      [onWorker, 'worker'],
      [onThis, 'this'],
    ] as const) {
      await importPackage(target.db, LIGHTHOUSE, options(thread, { campaign: 'both' }));
      const result = await importPackage(target.db, broken, options(thread, { campaign: 'both' }));
      expect(result.error).toMatchObject({ phase: 'lore', code: 'lore.parse' });
      const collision = await importPackage(target.db, changed, options(thread, { campaign: 'both' }));
      expect(collision.error).toMatchObject({ phase: 'entity', code: 'entity.collision' });
    }
  });

  it('rolls back a fault injected while later phases are still being planned', async () => {
    const before = await databaseDigest(onWorker.db, { except: ['import_runs'] });
    const faults = armFaults([parseFaultSpec('before-phase:lore')]);
    const result = await importPackage(
      onWorker.db,
      generated,
      options('worker', { campaign: 'fault', faults }),
    );
    expect(result).toMatchObject({ outcome: 'rolled_back', error: { fault_point: 'before-phase:lore' } });
    expect(await databaseDigest(onWorker.db, { except: ['import_runs'] })).toBe(before);
  });
});
