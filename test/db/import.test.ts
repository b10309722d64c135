/**
 * The import as users see it, on PostgreSQL and PGlite: outcomes, ordinals, ImportLog, projections, reruns,
 * collisions, rollback leaving every table byte-identical, and verification.
 */
import { cpSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseDigest } from '../../src/db/table-digest.js';
import {
  fixedClock,
  generatePackage,
  importPackage,
  Metrics,
  planImport,
  sequentialRunIds,
  verifyCampaign,
} from '../../src/index.js';
import { PROJECTION_TABLES } from '../../src/ledger/audit-records.js';
import { campaignDigest } from '../../src/ledger/campaign-read.js';
import { rebuildContentIndex, writeRebuiltManifest } from '../../src/package/rebuild-content-index.js';
import { DIGEST_PHASE, manifestComponent, stateDigest } from '../../src/plan/state-digest.js';
import { backends, openTestDatabase, type TestDatabase } from '../support/databases.js';
import { removeTempDirs, tempDir } from '../support/temp-dirs.js';

const REFERENCE = new URL('../../../shared/reference/fixtures/tests/fixtures/import/', import.meta.url)
  .pathname;
const HAS_REFERENCE = existsSync(REFERENCE);
const HAPPY = `${REFERENCE}manifest/happy-path`;
const TAMPERED = `${REFERENCE}manifest/tampered`;
const EDGE_PACKAGE = `${REFERENCE}edge_package`;
const FIXTURES = new URL('../../fixtures/packages/', import.meta.url).pathname;
const LIGHTHOUSE = `${FIXTURES}lighthouse`;
const ANNEX = `${FIXTURES}lighthouse-annex`;
const NPC_COLLISION = `${FIXTURES}npc-collision`;
const GOLDEN_DIGEST = '4b621073dd1e5715b8a7d7518e8b0fa41929e012562a4b8a440b7303695d5e59';

if (!HAS_REFERENCE) {
  console.warn('[skip] ../shared/reference is absent: the reference-fixture import tests are skipped');
}

const runId = sequentialRunIds('import-test');
const options = (campaign: string, metrics = new Metrics()) => ({
  campaign,
  metrics,
  clock: fixedClock('2026-01-01T12:00:00.000Z', 1000n),
  runId,
});

async function count(target: TestDatabase, table: string, campaign: string): Promise<number> {
  const rows = await target.db.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM ${table} t JOIN campaigns c ON c.id = t.campaign_id WHERE c.slug = $1`,
    [campaign],
  );
  return Number(rows[0]?.n ?? 0);
}

describe.each(backends())('import on %s', (backend) => {
  let target: TestDatabase;
  beforeAll(async () => {
    target = await openTestDatabase(backend);
  });
  afterAll(async () => {
    await target?.drop();
  });

  it.runIf(HAS_REFERENCE)(
    'commits the happy path as 8 chained events, then a rerun is a recorded no-op',
    async () => {
      const metrics = new Metrics();
      const first = await importPackage(target.db, HAPPY, options('happy', metrics));
      expect(first).toMatchObject({
        outcome: 'committed',
        stateDigest: GOLDEN_DIGEST,
        manifestHash: '1ebddf6629745cb0c5ebc2db2a77f9c8769e80eeed5255f4cd6e98977768e366',
        eventsAppended: 8,
        firstOrdinal: 0,
        lastOrdinal: 7,
        counts: { entities: 2, edges: 1, tags: 1, affordances: 1, chunks: 1 },
      });
      const ordinals = await target.db.query<{ o: string; t: string }>(
        `SELECT replay_ordinal::text AS o, event_type AS t FROM events e JOIN campaigns c ON c.id = e.campaign_id
        WHERE c.slug = 'happy' ORDER BY replay_ordinal`,
      );
      expect(ordinals.map((r) => Number(r.o))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(ordinals.map((r) => r.t)).toEqual([
        'seed.manifest.validated',
        'seed.entity_created',
        'seed.entity_created',
        'seed.edge_created',
        'seed.tag_registered',
        'seed.affordance_registered',
        'seed.content_chunk_ingested',
        'seed.import.complete',
      ]);
      const log = await target.db.query<{ seq: string; phase: string; action: string; mh: string }>(
        `SELECT sequence_no::text AS seq, phase, action, manifest_hash AS mh FROM import_log l
         JOIN campaigns c ON c.id = l.campaign_id WHERE c.slug = 'happy' ORDER BY sequence_no`,
      );
      expect(log.map((r) => [Number(r.seq), r.phase, r.action])).toEqual([
        [1, 'manifest', 'validated'],
        [2, 'entity', 'created'],
        [3, 'entity', 'created'],
        [4, 'edge', 'created'],
        [5, 'ontology', 'created'],
        [6, 'ontology', 'created'],
        [7, 'lore', 'ingested'],
        [8, 'finalization', 'completed'],
      ]);
      expect(new Set(log.map((r) => r.mh))).toEqual(new Set([first.manifestHash]));
      expect((await verifyCampaign(target.db, 'happy')).ok).toBe(true);
      expect((await campaignDigest(target.db, 'happy')).stateDigest).toBe(GOLDEN_DIGEST);

      const before = await databaseDigest(target.db, { except: ['import_runs'] });
      const again = await importPackage(target.db, HAPPY, options('happy', metrics));
      expect(again).toMatchObject({
        outcome: 'noop',
        eventsAppended: 0,
        stateDigest: GOLDEN_DIGEST,
        tipHash: first.tipHash,
        firstOrdinal: 0,
        lastOrdinal: 7,
      });
      expect(await databaseDigest(target.db, { except: ['import_runs'] })).toBe(before);
      expect(await count(target, 'events', 'happy')).toBe(8);
      expect(await count(target, 'import_log', 'happy')).toBe(8);
      const runs = await target.db.query<{ outcome: string }>(
        `SELECT outcome FROM import_runs WHERE campaign = 'happy' ORDER BY id`,
      );
      expect(runs.map((r) => r.outcome)).toEqual(['committed', 'noop']);
      const idempotent = await metrics.registry.getSingleMetric('chronicle_import_idempotent_total')?.get();
      expect(idempotent?.values[0]?.value).toBe(1);
    },
  );

  it.runIf(HAS_REFERENCE)(
    'rolls back a tampered package leaving every table but import_runs byte-identical',
    async () => {
      await importPackage(target.db, HAPPY, options('tamper'));
      const before = await databaseDigest(target.db, { except: ['import_runs'] });
      const result = await importPackage(target.db, TAMPERED, options('tamper'));
      expect(result.outcome).toBe('rolled_back');
      expect(result.error).toMatchObject({
        phase: 'manifest',
        code: 'package.hash_mismatch',
        file: 'entities/npc.json',
        expected_hash: '7d478136a27ad013caa5a225cbc4629998bb38b29c133b5c11a87803ceb7a1e6',
        actual_hash: '5880ea2569507faba1384c11a4edb144c07c7aed0d342ba345ec52c96f3c0d8e',
      });
      expect(await databaseDigest(target.db, { except: ['import_runs'] })).toBe(before);
      const runs = await target.db.query<{ outcome: string; error_code: string }>(
        `SELECT outcome, error_code FROM import_runs WHERE campaign = 'tamper' ORDER BY id`,
      );
      expect(runs.at(-1)).toEqual({ outcome: 'rolled_back', error_code: 'package.hash_mismatch' });
    },
  );

  it.runIf(HAS_REFERENCE)(
    'appends a second package with ordinals and sequence numbers continuing',
    async () => {
      const first = await importPackage(target.db, HAPPY, options('two'));
      const second = await importPackage(target.db, EDGE_PACKAGE, options('two'));
      expect(second).toMatchObject({
        outcome: 'committed',
        firstOrdinal: 8,
        stateDigest: '17e4d541251e6e1845b895be50d89e9f5034e369cfa6184c14800960982962a2',
      });
      expect(second.lastOrdinal).toBe(8 + second.eventsAppended - 1);
      const seq = await target.db.query<{ min: string; max: string; n: string }>(
        `SELECT min(sequence_no)::text AS min, max(sequence_no)::text AS max, count(*)::text AS n
         FROM import_log l JOIN campaigns c ON c.id = l.campaign_id WHERE c.slug = 'two'`,
      );
      expect(seq[0]).toEqual({ min: '1', max: seq[0]?.n, n: seq[0]?.n });
      expect(await verifyCampaign(target.db, 'two')).toMatchObject({ ok: true, problems: [] });

      const plans = await Promise.all([planImport(HAPPY), planImport(EDGE_PACKAGE)]);
      const union = plans.flatMap((plan) => [
        manifestComponent(plan.packageId, plan.manifestHash),
        ...plan.objects.map((o) => ({
          phase: DIGEST_PHASE[o.kind],
          stable_id: o.stableId,
          content_hash: o.contentHash,
        })),
      ]);
      const digest = await campaignDigest(target.db, 'two');
      expect(digest.stateDigest).toBe(stateDigest(union));
      expect(digest.stateDigest).not.toBe(first.stateDigest);
    },
  );

  it.runIf(HAS_REFERENCE)(
    "refuses another package's NPC id with other content, naming both sources",
    async () => {
      await importPackage(target.db, HAPPY, options('clash'));
      const before = await databaseDigest(target.db, { except: ['import_runs'] });
      const result = await importPackage(target.db, NPC_COLLISION, options('clash'));
      expect(result.outcome).toBe('rolled_back');
      expect(result.error).toMatchObject({
        phase: 'entity',
        code: 'entity.collision',
        stable_id: '01JA6Z7F8NPC00000000000000',
        file: 'entities/ada.json',
        existing_package_id: '01JAR9WYH41R8TFM6Z0X5E7QKJ',
        existing_file: 'entities/npc.json',
        existing_hash: '7d478136a27ad013caa5a225cbc4629998bb38b29c133b5c11a87803ceb7a1e6',
        package_id: result.packageId,
        manifest_hash: result.manifestHash,
        campaign: 'clash',
      });
      expect(result.packageId).toMatch(/^[0-9A-Z]{26}$/);
      expect(result.manifestHash).toMatch(/^[0-9a-f]{64}$/);
      expect(result.error?.message).toContain('entities/npc.json');
      expect(result.error?.message).toContain("already in campaign 'clash'");
      expect(await databaseDigest(target.db, { except: ['import_runs'] })).toBe(before);
    },
  );

  it('stores file names as its events do, in NFC: a package with decomposed names (macOS) imports and verifies', async () => {
    const dir = tempDir('nfd-names');
    cpSync(LIGHTHOUSE, dir, { recursive: true });
    const renamed = [
      'entities/wren.json',
      'edges/flight.json',
      'ontology/taxonomy.json',
      'lore/storm-night.md',
    ];
    // "é" as macOS writes it in a file name: e + U+0301.
    const named = (file: string, e: string) => file.replace('/', `/${e}-`);
    for (const file of renamed) renameSync(join(dir, file), join(dir, named(file, 'e\u0301')));
    writeRebuiltManifest(rebuildContentIndex(dir));

    const result = await importPackage(target.db, dir, options('nfd-names'));
    const report = await verifyCampaign(target.db, 'nfd-names');
    const rows = await target.db.query<{ p: string }>(
      `SELECT t.source_path AS p FROM (${PROJECTION_TABLES.map((table) => `SELECT campaign_id, source_path FROM ${table}`).join(' UNION ALL ')}) t
         JOIN campaigns c ON c.id = t.campaign_id WHERE c.slug = 'nfd-names'`,
    );
    const paths = rows.map((row) => row.p);

    expect(result.outcome).toBe('committed');
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(paths.filter((path) => path !== path.normalize('NFC'))).toEqual([]);
    expect(
      new Set(paths.filter((path) => path.includes('\u00e9')).map((path) => path.split('#')[0])),
    ).toEqual(new Set(renamed.map((file) => named(file, '\u00e9'))));

    // A row holding the decomposed name (as an import made before this was fixed did) is told apart in words.
    await target.db.query(
      `BEGIN; ALTER TABLE entities DISABLE TRIGGER USER;
       UPDATE entities SET source_path = 'entities/e\u0301-wren.json' WHERE source_path = 'entities/\u00e9-wren.json';
       ALTER TABLE entities ENABLE TRIGGER USER; COMMIT`,
    );
    const older = await verifyCampaign(target.db, 'nfd-names');
    expect(older.problems).toMatchObject([
      {
        kind: 'projection_mismatch',
        message: expect.stringContaining(
          'source_path entities/e\u0301-wren.json (event: entities/\u00e9-wren.json; the same text in another Unicode normalisation form, the event has NFC)',
        ),
      },
    ]);
  });

  it('skips a tag whose definition is unchanged in a file that changed around it; refuses a changed definition', async () => {
    // A later package of the same campaign ships its taxonomy with one more tag: the file, and so the content hash
    // of every tag in it, changed; the two tags imported before did not.
    const later = (name: string, packageId: string, edit: (taxonomy: Record<string, unknown[]>) => void) => {
      const dir = join(tempDir(name), 'pkg');
      cpSync(LIGHTHOUSE, dir, { recursive: true });
      const manifestPath = join(dir, 'package.manifest.json');
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
      writeFileSync(manifestPath, JSON.stringify({ ...manifest, package_id: packageId }));
      const taxonomyPath = join(dir, 'ontology/taxonomy.json');
      const taxonomy = JSON.parse(readFileSync(taxonomyPath, 'utf8')) as Record<string, unknown[]>;
      edit(taxonomy);
      writeFileSync(taxonomyPath, `${JSON.stringify(taxonomy, null, 2)}\n`);
      writeRebuiltManifest(rebuildContentIndex(dir));
      return dir;
    };
    const tags = (taxonomy: Record<string, unknown[]>) => taxonomy.tags as Record<string, unknown>[];
    const grown = later('tags-grown', '01JD3K8Q6V2M4T9XWBZC5RE0T1', (taxonomy) => {
      tags(taxonomy).push({
        ...tags(taxonomy)[0],
        tag_id: 'action.flare',
        slug: 'flare',
        display_name: 'Flare',
      });
    });
    const changed = later('tags-changed', '01JD3K8Q6V2M4T9XWBZC5RE0T2', (taxonomy) => {
      (tags(taxonomy)[0] as Record<string, unknown>).display_name = 'Signal lamp';
    });

    const first = await importPackage(target.db, LIGHTHOUSE, options('ontology-later'));
    const second = await importPackage(target.db, grown, options('ontology-later'));
    const third = await importPackage(target.db, changed, options('ontology-later'));

    expect([first.outcome, second.outcome, third.outcome]).toEqual(['committed', 'committed', 'rolled_back']);
    // Two tags and the affordance (same definitions) skipped with the five entities, three edges and five chunks.
    expect(second).toMatchObject({ eventsAppended: 3, objectsSkipped: 16, counts: { tags: 3 } });
    expect(third.error).toMatchObject({
      code: 'ontology.conflict',
      stable_id: 'action.signal',
      message: expect.stringContaining(
        "tag (action) 'action.signal' is already in campaign 'ontology-later' with another definition",
      ),
    });
    expect((await verifyCampaign(target.db, 'ontology-later')).ok).toBe(true);
  });

  it('skips objects another package already imported with the same content', async () => {
    const first = await importPackage(target.db, LIGHTHOUSE, options('cape'));
    expect(first.outcome).toBe('committed');
    const annex = await importPackage(target.db, ANNEX, options('cape'));
    expect(annex).toMatchObject({
      outcome: 'committed',
      objectsSkipped: 1,
      firstOrdinal: (first.lastOrdinal ?? 0) + 1,
    });
    // manifest + boathouse + shore edge + completion: the shared cape-ember entity gets no second event
    expect(annex.eventsAppended).toBe(4);
    const skipped = await target.db.query<{ stable_id: string; event_ordinal: string | null }>(
      `SELECT stable_id, event_ordinal FROM import_log l JOIN campaigns c ON c.id = l.campaign_id
        WHERE c.slug = 'cape' AND action = 'skipped'`,
    );
    expect(skipped).toEqual([{ stable_id: '01JD3K8Q6V2M4T9XWBZC5REPQC', event_ordinal: null }]);
    const entity = await target.db.query<{ package_id: string; name: string }>(
      `SELECT e.package_id, e.name FROM entities e JOIN campaigns c ON c.id = e.campaign_id
        WHERE c.slug = 'cape' AND stable_id = '01JD3K8Q6V2M4T9XWBZC5REPQC'`,
    );
    expect(entity).toEqual([{ package_id: '01JD3K8Q6V2M4T9XWBZC5REPKG', name: 'Cape Ember Light' }]);
    expect(await verifyCampaign(target.db, 'cape')).toMatchObject({ ok: true, problems: [] });
  });
  it('reports its stages: read, plan, apply for a first import; fingerprint (is it a rerun?) first in a campaign with imports', async () => {
    const stagesOf = async (dir: string) => {
      const stages: string[] = [];
      const result = await importPackage(target.db, dir, {
        ...options('stages'),
        onStage: (s) => stages.push(s),
      });
      return { outcome: result.outcome, stages };
    };
    expect(await stagesOf(LIGHTHOUSE)).toEqual({ outcome: 'committed', stages: ['read', 'plan', 'apply'] });
    expect(await stagesOf(LIGHTHOUSE)).toEqual({ outcome: 'noop', stages: ['fingerprint'] });
    const tampered = new URL('../../fixtures/conformance/package-hash-mismatch/package', import.meta.url)
      .pathname;
    expect(await stagesOf(tampered)).toEqual({ outcome: 'rolled_back', stages: ['fingerprint', 'read'] });
  });

  it('compresses long payloads with lz4 where the server has it (PostgreSQL), with pglz on PGlite', async () => {
    const generated = await generatePackage({ objects: 600, seed: 5, outDir: join(tempDir('lz4'), 'pkg') });
    expect(await importPackage(target.db, generated.dir, options('long'))).toMatchObject({
      outcome: 'committed',
    });
    const methods = async (table: string, column: string) =>
      (
        await target.db.query<{ method: string }>(
          `SELECT DISTINCT pg_column_compression(${column}) AS method FROM ${table}
            WHERE pg_column_compression(${column}) IS NOT NULL ORDER BY 1`,
        )
      ).map((row) => row.method);
    const expected = [backend === 'pg' ? 'lz4' : 'pglz'];
    expect(await methods('events', 'payload_canonical')).toEqual(expected);
    expect(await methods('chunks', 'payload')).toEqual(expected);
    // a later transaction of the same connection is back to the server's default
    expect(await target.db.query('SHOW default_toast_compression')).toEqual([
      { default_toast_compression: 'pglz' },
    ]);
    expect(await verifyCampaign(target.db, 'long')).toMatchObject({ ok: true, problems: [] });
  });
});

afterAll(removeTempDirs);
