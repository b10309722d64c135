/**
 * The tamper suite: a rogue operator (a superuser with the triggers off) changes a campaign of three
 * packages in each way below; `verify` reports it at the right ordinal with the right kind, and verifying
 * an exported bundle gives exactly the same problems. A consistent tail rewrite fools every check inside
 * the database and only a checkpoint kept outside catches it.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createCheckpoint,
  fixedClock,
  generateSigningKeyPair,
  type ProblemKind,
  privateKeyFromPem,
  publicKeyFromPem,
  verifyCampaign,
} from '../../src/index.js';
import { databaseSource } from '../../src/ledger/db-source.js';
import { PAYLOAD_MATCHES_BODY } from '../../src/ledger/ledger-sql.js';
import { backends, openTestDatabase, superuserQuery, type TestDatabase } from '../support/databases.js';
import {
  ANNEX,
  ANNEX_LAST,
  campaignIdSql,
  forgeEventAfterTip,
  importAll,
  LIGHTHOUSE,
  LIGHTHOUSE_LAST,
  removeTmpDirs,
  rewriteTail,
  SMALL,
  verifyBoth,
} from './support.js';

const C = 'audit';
const cid = campaignIdSql(C);
const replaceInPayload = (from: string, to: string) =>
  `convert_to(replace(convert_from(payload_canonical, 'UTF8'), '${from}', '${to}'), 'UTF8')`;

interface Scenario {
  name: string;
  tamper: (target: TestDatabase, last: number) => Promise<unknown>;
  /** The first problem's ordinal, and a kind reported at it. */
  expected: (last: number) => { ordinal: number; kind: ProblemKind };
}

/** A checkpoint recorded at the tip, then its row changed by `set` (in which `{doc}` is its document as text). */
async function recordedCheckpointThen(t: TestDatabase, set: string): Promise<void> {
  await createCheckpoint(t.db, C);
  const doc = `convert_from(document, 'UTF8')`;
  await superuserQuery(
    t,
    `UPDATE checkpoints SET ${set.replaceAll('{doc}', doc)} WHERE campaign_id = ${cid}`,
  );
}

const SCENARIOS: Scenario[] = [
  {
    name: "an import row's objects_skipped altered",
    tamper: (t) =>
      superuserQuery(
        t,
        `UPDATE imports SET objects_skipped = 3 WHERE campaign_id = ${cid} AND first_ordinal = 0`,
      ),
    expected: () => ({ ordinal: LIGHTHOUSE_LAST, kind: 'import_mismatch' }),
  },
  {
    name: "a recorded checkpoint's trail altered (its document only: the columns hold no trail)",
    tamper: (t) =>
      recordedCheckpointThen(
        t,
        `document = convert_to(regexp_replace({doc}, '"trail":\\[\\[0,"[0-9a-f]{64}"', '"trail":[[0,"${'0'.repeat(64)}"'), 'UTF8')`,
      ),
    expected: () => ({ ordinal: 0, kind: 'checkpoint_mismatch' }),
  },
  {
    name: "a recorded checkpoint's created_at column altered",
    tamper: (t) => recordedCheckpointThen(t, `created_at = created_at + interval '1 day'`),
    expected: (last) => ({ ordinal: last, kind: 'checkpoint_mismatch' }),
  },
  {
    name: "a recorded checkpoint's state_digest column emptied (NULL: Chronicle never writes one)",
    tamper: (t) => recordedCheckpointThen(t, 'state_digest = NULL'),
    expected: (last) => ({ ordinal: last, kind: 'checkpoint_mismatch' }),
  },
  {
    name: "a recorded checkpoint's document moved to another campaign",
    tamper: (t) =>
      recordedCheckpointThen(
        t,
        `document = convert_to(replace({doc}, '"campaign":"${C}"', '"campaign":"elsewhere"'), 'UTF8')`,
      ),
    expected: (last) => ({ ordinal: last, kind: 'checkpoint_mismatch' }),
  },
  {
    name: 'a payload byte changed',
    tamper: (t) =>
      superuserQuery(
        t,
        `UPDATE events SET payload_canonical = set_byte(payload_canonical, 40, get_byte(payload_canonical, 40) # 1)
          WHERE campaign_id = ${cid} AND replay_ordinal = 3`,
      ),
    expected: () => ({ ordinal: 3, kind: 'payload_hash' }),
  },
  {
    name: 'a payload changed and its payload hash recomputed',
    tamper: (t) =>
      superuserQuery(
        t,
        `UPDATE events SET payload_canonical = ${replaceInPayload('"name":"', '"name":"Evil ')},
                payload_hash = sha256(${replaceInPayload('"name":"', '"name":"Evil ')})
          WHERE campaign_id = ${cid} AND replay_ordinal = 4`,
      ),
    expected: () => ({ ordinal: 4, kind: 'envelope_hash' }),
  },
  {
    name: 'the last event deleted',
    tamper: (t, last) =>
      superuserQuery(t, `DELETE FROM events WHERE campaign_id = ${cid} AND replay_ordinal = ${last}`),
    expected: (last) => ({ ordinal: last, kind: 'import_mismatch' }),
  },
  {
    name: 'a middle event deleted',
    tamper: (t) => superuserQuery(t, `DELETE FROM events WHERE campaign_id = ${cid} AND replay_ordinal = 5`),
    expected: () => ({ ordinal: 5, kind: 'missing_events' }),
  },
  {
    name: 'two events swapped',
    tamper: async (t) => {
      await superuserQuery(
        t,
        `UPDATE events SET replay_ordinal = 1000000 WHERE campaign_id = ${cid} AND replay_ordinal = 3`,
      );
      await superuserQuery(
        t,
        `UPDATE events SET replay_ordinal = 3 WHERE campaign_id = ${cid} AND replay_ordinal = 4`,
      );
      await superuserQuery(
        t,
        `UPDATE events SET replay_ordinal = 4 WHERE campaign_id = ${cid} AND replay_ordinal = 1000000`,
      );
    },
    expected: () => ({ ordinal: 3, kind: 'prev_link' }),
  },
  {
    name: 'a forged event appended with correct hashes',
    tamper: (t) =>
      forgeEventAfterTip(
        t,
        C,
        '{"affordances":[],"kind":"npc","name":"Mallory","provenance":{"file_hash":"00","package_id":"X","source_path":"entities/m.json"},"stable_id":"01JAAAAAAAAAAAAAAAAAAAAAAA","tags":[]}',
        'seed.entity_created',
      ),
    expected: (last) => ({ ordinal: last + 1, kind: 'import_mismatch' }),
  },
  {
    name: 'an ImportLog row altered',
    tamper: (t) =>
      superuserQuery(
        t,
        `UPDATE import_log SET file_hash = repeat('0', 64) WHERE campaign_id = ${cid} AND sequence_no = 4`,
      ),
    expected: () => ({ ordinal: 3, kind: 'import_log_mismatch' }),
  },
  {
    name: 'a projection row altered',
    tamper: (t) =>
      superuserQuery(
        t,
        `UPDATE entities SET payload = jsonb_set(payload, '{name}', '"Mallory"') WHERE campaign_id = ${cid} AND event_ordinal = 2`,
      ),
    expected: () => ({ ordinal: 2, kind: 'projection_mismatch' }),
  },
  {
    name: "an event's queryable jsonb copy altered (its canonical bytes intact)",
    tamper: (t) =>
      superuserQuery(
        t,
        `UPDATE events SET payload = jsonb_set(payload, '{name}', '"Mallory"') WHERE campaign_id = ${cid} AND replay_ordinal = 2`,
      ),
    expected: () => ({ ordinal: 2, kind: 'payload_json' }),
  },
  {
    name: "an event's import_id re-pointed",
    tamper: (t) =>
      superuserQuery(
        t,
        `UPDATE events SET import_id = NULL WHERE campaign_id = ${cid} AND replay_ordinal = 5`,
      ),
    expected: () => ({ ordinal: 5, kind: 'import_mismatch' }),
  },
  {
    name: "an event's wall time moved before 1970",
    tamper: (t) =>
      superuserQuery(
        t,
        `UPDATE events SET wall_time_utc = '1960-01-01Z' WHERE campaign_id = ${cid} AND replay_ordinal = 7`,
      ),
    expected: () => ({ ordinal: 7, kind: 'envelope_hash' }),
  },
  {
    name: "an import row's counts set to null",
    tamper: (t) =>
      superuserQuery(
        t,
        `UPDATE imports SET counts = 'null' WHERE campaign_id = ${cid} AND first_ordinal = 0`,
      ),
    expected: () => ({ ordinal: LIGHTHOUSE_LAST, kind: 'import_mismatch' }),
  },
  {
    name: "an import row's counts given a count of their own, and a count as text",
    tamper: (t) =>
      superuserQuery(
        t,
        `UPDATE imports SET counts = counts || '{"bogus": 7, "tags": "2"}' WHERE campaign_id = ${cid} AND first_ordinal = 0`,
      ),
    expected: () => ({ ordinal: LIGHTHOUSE_LAST, kind: 'import_mismatch' }),
  },
  {
    name: 'every row of the campaign deleted but the campaign itself',
    tamper: async (t) => {
      for (const table of [
        'events',
        'import_log',
        'imports',
        'entities',
        'edges',
        'tags',
        'affordances',
        'chunks',
      ]) {
        await superuserQuery(t, `DELETE FROM ${table} WHERE campaign_id = ${cid}`);
      }
      // The run records too (they name the imports: see the tests of an import removed whole below).
      await superuserQuery(t, `DELETE FROM import_runs WHERE campaign = '${C}'`);
    },
    expected: () => ({ ordinal: 0, kind: 'missing_events' }),
  },
];

/** What `verify --chain-only` checks: the hash chain and the checkpoints (not the rows derived from it). */
const CHAIN_KINDS = new Set<ProblemKind>([
  'missing_events',
  'unexpected_ordinal',
  'prev_link',
  'payload_hash',
  'idempotency_key',
  'envelope_hash',
  'world_time',
  'checkpoint_mismatch',
  'checkpoint_missing',
  'checkpoint_signature',
]);

afterAll(removeTmpDirs);

describe.each(backends())('tamper suite on %s', (backend) => {
  let target: TestDatabase;
  let last: number;
  beforeEach(async () => {
    target = await openTestDatabase(backend);
    last = await importAll(target, C, [LIGHTHOUSE, ANNEX, SMALL]);
  });
  afterEach(async () => {
    await target?.drop();
  });

  it('verifies the untouched campaign on the database and from its bundle', async () => {
    const { db, bundle } = await verifyBoth(target, C);
    expect(db).toMatchObject({ ok: true, scope: 'full', events: last + 1, problems: [] });
    expect(bundle).toEqual(db);
    const chainOnly = await verifyBoth(target, C, { scope: 'chain' });
    expect(chainOnly.db).toEqual({ ...db, scope: 'chain' });
    expect(chainOnly.bundle).toEqual(chainOnly.db);
    // What progress counts towards: the events up to the tip.
    const expected = await target.db.transaction(async (tx) => [
      (await databaseSource(tx, C)).expectedEvents,
      (await databaseSource(tx, 'nobody')).expectedEvents,
    ]);
    expect(expected).toEqual([last + 1, 0]);
  });

  it.each(SCENARIOS.map((s) => [s.name, s] as const))(
    'detects %s, with the same verdict from the bundle',
    async (_name, scenario) => {
      await scenario.tamper(target, last);
      const expected = scenario.expected(last);
      const { db, bundle } = await verifyBoth(target, C);
      expect(db.ok).toBe(false);
      expect(db.firstBadOrdinal).toBe(expected.ordinal);
      expect(db.problems).toContainEqual(expect.objectContaining(expected));
      expect(bundle.problems).toEqual(db.problems);
      expect(bundle.firstBadOrdinal).toBe(db.firstBadOrdinal);

      // --chain-only reports exactly the chain's share of the problems (a tampered derived row goes unseen).
      const chainOnly = await verifyBoth(target, C, { scope: 'chain' });
      const chainProblems = db.problems.filter((problem) => CHAIN_KINDS.has(problem.kind));
      expect(chainOnly.db).toMatchObject({ scope: 'chain', ok: chainProblems.length === 0 });
      expect(chainOnly.db.problems).toEqual(chainProblems);
      expect(chainOnly.bundle.problems).toEqual(chainProblems);
      // A long chain is hashed on a worker thread (hashed-pages.ts): the verdicts are the same.
      const onWorker = await verifyBoth(target, C, { scope: 'chain', hashThread: 'worker' });
      expect(onWorker.db).toEqual(chainOnly.db);
      expect(onWorker.bundle).toEqual(chainOnly.bundle);
    },
  );

  it("sees an edited jsonb payload whatever operators and search_path the tables' owner sets up", async () => {
    await superuserQuery(
      target,
      `UPDATE events SET payload = payload || '{"name": "Evil Wren"}' WHERE campaign_id = ${cid} AND replay_ordinal = 4`,
    );
    // What an owner may create in the schema: an equality of jsonb that always holds, found before the built-in
    // one through a search_path that puts the schema first (the comparison's body names `=` unqualified).
    await target.db.query(
      `CREATE FUNCTION always(jsonb, jsonb) RETURNS boolean LANGUAGE sql AS 'SELECT true'`,
    );
    await target.db.query('CREATE OPERATOR public.= (LEFTARG = jsonb, RIGHTARG = jsonb, FUNCTION = always)');
    const report = await target.db.transaction(async (tx) => {
      await tx.query('SET LOCAL search_path = public, pg_catalog');
      return verifyCampaign(tx, C);
    });
    expect(report.problems).toEqual([expect.objectContaining({ ordinal: 4, kind: 'payload_json' })]);
    expect((await verifyCampaign(target.db, C)).problems).toEqual(report.problems);

    // The comparison itself replaced (or given settings of its own): nothing is verified, and it says why.
    for (const change of [
      `CREATE OR REPLACE FUNCTION chronicle_payload_matches(canonical bytea, payload jsonb) RETURNS boolean
         LANGUAGE sql STABLE AS 'SELECT true'`,
      `CREATE OR REPLACE FUNCTION chronicle_payload_matches(canonical bytea, payload jsonb) RETURNS boolean
         LANGUAGE plpgsql STABLE AS $$${PAYLOAD_MATCHES_BODY}$$`,
      'ALTER FUNCTION chronicle_payload_matches(bytea, jsonb) SET search_path = public, pg_catalog',
    ]) {
      await target.db.query(change);
      const verdict = verifyCampaign(target.db, C).then(
        () => 'verified',
        (error: { code?: string }) => error.code,
      );
      expect(await verdict, change).toBe(
        change.includes('SELECT true') || change.startsWith('ALTER')
          ? 'db.audit_function_changed'
          : 'verified',
      );
    }
  });

  it('reports at its ordinal a wall time no timestamp can take, and a missing envelope hash, which checkpoint refuses', async () => {
    await superuserQuery(
      target,
      `UPDATE events SET wall_time_utc = 'infinity' WHERE campaign_id = ${cid} AND replay_ordinal = 7`,
    );
    const infinite = await verifyCampaign(target.db, C);
    expect(infinite.firstBadOrdinal).toBe(7);
    expect(infinite.problems).toEqual([expect.objectContaining({ ordinal: 7, kind: 'envelope_hash' })]);

    await target.db.query('ALTER TABLE events ALTER envelope_hash DROP NOT NULL');
    await superuserQuery(
      target,
      `UPDATE events SET envelope_hash = NULL WHERE campaign_id = ${cid} AND replay_ordinal = ${last}`,
    );
    for (const scope of ['full', 'chain'] as const) {
      const report = await verifyCampaign(target.db, C, { scope });
      expect(report.problems).toContainEqual(
        expect.objectContaining({ ordinal: last, kind: 'envelope_hash' }),
      );
    }
    await expect(createCheckpoint(target.db, C)).rejects.toMatchObject({
      code: 'db.damaged_chain',
      message: `campaign '${C}': the envelope hash stored at ordinal ${last} is missing, not 32 bytes: no checkpoint was made (chronicle verify -c ${C} reports the damage)`,
    });
    expect(await target.db.query('SELECT count(*)::int AS n FROM checkpoints')).toEqual([{ n: 0 }]);
  });

  it('lists the first problems of a chain altered throughout, and counts the others', async () => {
    await superuserQuery(
      target,
      `UPDATE events SET payload_canonical = set_byte(payload_canonical, 1, get_byte(payload_canonical, 1) # 1)
        WHERE campaign_id = ${cid}`,
    );
    const all = await verifyBoth(target, C);
    expect(all.db.problems.length).toBeGreaterThan(2 * (last + 1));
    expect(all.db.problemsOmitted).toBeUndefined();
    const few = await verifyBoth(target, C, { maxProblems: 5 });
    for (const report of [few.db, few.bundle]) {
      expect(report).toMatchObject({ ok: false, firstBadOrdinal: 0, reason: all.db.reason });
      expect(report.problems).toEqual(all.db.problems.slice(0, 5));
      expect(report.problemsOmitted).toBe(all.db.problems.length - 5);
    }
  });

  it('misses a consistent tail rewrite inside the database, and --against names its first ordinal', async () => {
    // A checkpoint after the first two packages, then the third; then the tail is rewritten from ordinal 19.
    const fresh = await openTestDatabase(backend);
    try {
      await importAll(fresh, C, [LIGHTHOUSE, ANNEX]);
      const { document } = await createCheckpoint(fresh.db, C, {
        clock: fixedClock('2026-02-02T00:00:00.000Z'),
      });
      expect(document).toMatchObject({ ordinal: ANNEX_LAST, events: ANNEX_LAST + 1 });
      await importAll(fresh, C, [SMALL]);
      await rewriteTail(fresh, C, 19, (ordinal, payload) =>
        ordinal === 19 ? payload.replace('"name":"', '"name":"Forged ') : null,
      );

      const plain = await verifyBoth(fresh, C);
      expect(plain.db).toMatchObject({ ok: true, problems: [] });
      expect(plain.bundle.ok).toBe(true);

      const against = await verifyBoth(fresh, C, { against: { document } });
      expect(against.db.ok).toBe(false);
      expect(against.db.firstBadOrdinal).toBe(19);
      expect(against.db.problems).toEqual([
        expect.objectContaining({ ordinal: 19, kind: 'checkpoint_mismatch' }),
      ]);
      expect(against.db.against).toMatchObject({
        firstDifference: 19,
        lastAgreement: 18,
        truncated: false,
        signature: 'unsigned',
      });
      expect(against.bundle).toEqual(against.db);
    } finally {
      await fresh.drop();
    }
  });

  it('brackets a rewrite older than the dense part of the trail, and reports truncation', async () => {
    const { document } = await createCheckpoint(target.db, C, {
      clock: fixedClock('2026-02-02T00:00:00.000Z'),
      denseTrail: 4,
    });
    // trail: 0, 1, 2?, ... exponentially spaced below last-3, every ordinal of the last four
    await rewriteTail(target, C, 5, (ordinal, payload) =>
      ordinal === 5 ? payload.replace('"name":"', '"name":"Forged ') : null,
    );
    const rewritten = await verifyBoth(target, C, { against: { document } });
    const trail = document.trail.map(([o]) => o);
    const agreed = Math.max(...trail.filter((o) => o < 5));
    const differs = Math.min(...trail.filter((o) => o >= 5));
    expect(rewritten.db.against).toMatchObject({ firstDifference: differs, lastAgreement: agreed });
    expect(rewritten.db.problems).toEqual([
      expect.objectContaining({ ordinal: differs, kind: 'checkpoint_mismatch' }),
    ]);
    expect(rewritten.db.problems[0]?.message).toContain(`between ordinals ${agreed + 1} and ${differs}`);
    expect(rewritten.bundle).toEqual(rewritten.db);
  });

  it('names an import removed whole, after a clean cut of the chain, from the run records (database only)', async () => {
    const [small] = await target.db.query<{ id: string }>(
      `SELECT max(id)::text AS id FROM imports WHERE campaign_id = ${cid}`,
    );
    const cut = [
      `DELETE FROM events WHERE campaign_id = ${cid} AND replay_ordinal > ${ANNEX_LAST}`,
      `DELETE FROM import_log WHERE import_id = ${small?.id}`,
      ...['entities', 'edges', 'tags', 'affordances', 'chunks'].map(
        (table) => `DELETE FROM ${table} WHERE campaign_id = ${cid} AND event_ordinal > ${ANNEX_LAST}`,
      ),
      `DELETE FROM import_references WHERE import_id = ${small?.id}`,
      `DELETE FROM imports WHERE id = ${small?.id}`,
    ];
    for (const statement of cut) await superuserQuery(target, statement);

    const { db, bundle } = await verifyBoth(target, C);

    // The rest of the chain, and its bundle, are a consistent shorter ledger: only the run records remember.
    expect(bundle.ok).toBe(true);
    expect(db.ok).toBe(false);
    expect(db.problems).toEqual([
      expect.objectContaining({
        ordinal: ANNEX_LAST + 1,
        kind: 'import_mismatch',
        message: expect.stringMatching(
          new RegExp(`names import ${small?.id}, which the campaign does not hold`),
        ),
      }),
    ]);
  });

  it('fails a campaign removed whole whose run records name its imports (not campaign.not_found)', async () => {
    for (const table of ['events', 'import_log', 'entities', 'edges', 'tags', 'affordances', 'chunks']) {
      await superuserQuery(target, `DELETE FROM ${table} WHERE campaign_id = ${cid}`);
    }
    await superuserQuery(
      target,
      `DELETE FROM import_references WHERE import_id IN (SELECT id FROM imports WHERE campaign_id = ${cid})`,
    );
    await superuserQuery(target, `DELETE FROM imports WHERE campaign_id = ${cid}`);
    await superuserQuery(target, `DELETE FROM campaigns WHERE id = ${cid}`);

    const report = await verifyCampaign(target.db, C);

    expect(report.ok).toBe(false);
    expect(report.problems).toHaveLength(3);
    expect(report.problems[0]).toMatchObject({ ordinal: 0, kind: 'import_mismatch' });
    await expect(verifyCampaign(target.db, 'never-imported')).rejects.toMatchObject({
      code: 'campaign.not_found',
    });
  });

  it('reports a truncated chain against a checkpoint', async () => {
    const { document } = await createCheckpoint(target.db, C, {
      clock: fixedClock('2026-02-02T00:00:00.000Z'),
    });
    await superuserQuery(
      target,
      `DELETE FROM events WHERE campaign_id = ${cid} AND replay_ordinal > ${LIGHTHOUSE_LAST}`,
    );
    const { db, bundle } = await verifyBoth(target, C, { against: { document } });
    expect(db.problems).toContainEqual(
      expect.objectContaining({ ordinal: LIGHTHOUSE_LAST + 1, kind: 'checkpoint_missing' }),
    );
    expect(db.against).toMatchObject({ truncated: true, firstDifference: LIGHTHOUSE_LAST + 1 });
    expect(db.firstBadOrdinal).toBe(LIGHTHOUSE_LAST + 1);
    expect(bundle.problems).toEqual(db.problems);
  });

  it("fails a chain that ends before an auditor's unrecorded checkpoint, when that is all that is wrong", async () => {
    const { document } = await createCheckpoint(target.db, C, {
      clock: fixedClock('2026-02-02T00:00:00.000Z'),
      record: false,
    });
    await superuserQuery(
      target,
      `DELETE FROM events WHERE campaign_id = ${cid} AND replay_ordinal > ${LIGHTHOUSE_LAST}`,
    );
    // The chain alone: nothing else (ImportLog, imports) reports the missing tail.
    const { db, bundle } = await verifyBoth(target, C, { against: { document }, scope: 'chain' });
    expect(db.ok).toBe(false);
    expect(db.problems).toEqual([
      expect.objectContaining({ ordinal: LIGHTHOUSE_LAST + 1, kind: 'checkpoint_missing' }),
    ]);
    expect(db.against).toMatchObject({ truncated: true, firstDifference: LIGHTHOUSE_LAST + 1 });
    expect(bundle.problems).toEqual(db.problems);
  });

  it('reports a forked chain against a checkpoint of another history', async () => {
    const { document } = await createCheckpoint(target.db, C, {
      clock: fixedClock('2026-02-02T00:00:00.000Z'),
    });
    const fork = await openTestDatabase(backend);
    try {
      await importAll(fork, C, [LIGHTHOUSE, SMALL, ANNEX]);
      const { db, bundle } = await verifyBoth(fork, C, { against: { document } });
      expect(db.problems).toEqual([
        expect.objectContaining({ ordinal: LIGHTHOUSE_LAST + 1, kind: 'checkpoint_mismatch' }),
      ]);
      expect(db.against).toMatchObject({
        firstDifference: LIGHTHOUSE_LAST + 1,
        lastAgreement: LIGHTHOUSE_LAST,
      });
      expect(bundle).toEqual(db);
    } finally {
      await fork.drop();
    }
  });

  it('refuses a checkpoint signed with another key, and an altered signed checkpoint', async () => {
    const signer = generateSigningKeyPair();
    const stranger = generateSigningKeyPair();
    const { document } = await createCheckpoint(target.db, C, {
      clock: fixedClock('2026-02-02T00:00:00.000Z'),
      signKey: privateKeyFromPem(signer.privateKeyPem, 'signer.key'),
    });
    const publicKey = publicKeyFromPem(signer.publicKeyPem, 'signer.pub');

    const good = await verifyBoth(target, C, { against: { document, publicKey } });
    expect(good.db).toMatchObject({ ok: true, against: { signature: 'valid', keyId: signer.keyId } });
    expect(good.bundle).toEqual(good.db);

    const wrongKey = await verifyBoth(target, C, {
      against: { document, publicKey: publicKeyFromPem(stranger.publicKeyPem, 'stranger.pub') },
    });
    expect(wrongKey.db.ok).toBe(false);
    expect(wrongKey.db.problems).toEqual([
      expect.objectContaining({ ordinal: last, kind: 'checkpoint_signature' }),
    ]);
    expect(wrongKey.db.problems[0]?.message).toContain(`public key given is ${stranger.keyId}: refused`);
    expect(wrongKey.bundle).toEqual(wrongKey.db);

    const altered = { ...document, ordinal: document.ordinal - 1 };
    const tampered = await verifyBoth(target, C, { against: { document: altered, publicKey } });
    expect(tampered.db.problems).toEqual([expect.objectContaining({ kind: 'checkpoint_signature' })]);
    expect(tampered.db.problems[0]?.message).toContain('altered after signing');
  });
});
