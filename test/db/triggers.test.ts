import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/db/database.js';
import { APPEND_ONLY_SQLSTATE, DENSE_NUMBERS_SQLSTATE, sqlStateOf } from '../../src/db/sql-errors.js';
import { databaseDigest, tableDigest } from '../../src/db/table-digest.js';
import {
  backends,
  openTestDatabase,
  pgTestDatabase,
  superuserQuery,
  type TestDatabase,
} from '../support/databases.js';

const APPEND_ONLY_TABLES = [
  'events',
  'import_log',
  'imports',
  'import_runs',
  'checkpoints',
  'campaigns',
  'import_references',
] as const;
type AppendOnlyTable = (typeof APPEND_ONLY_TABLES)[number];
/** A change to one column of each append-only table. */
const CHANGE: Record<AppendOnlyTable, string> = {
  events: `event_type = 'changed'`,
  import_log: `stable_id = 'changed'`,
  imports: `package_id = 'changed'`,
  import_runs: `campaign = 'changed'`,
  checkpoints: `tip_hash = 'changed'`,
  campaigns: `slug = 'changed'`,
  import_references: 'import_id = import_id',
};
const REFUSED_STATEMENTS = {
  UPDATE: (table: AppendOnlyTable) => `UPDATE ${table} SET ${CHANGE[table]}`,
  DELETE: (table: AppendOnlyTable) => `DELETE FROM ${table}`,
  TRUNCATE: (table: AppendOnlyTable) => `TRUNCATE ${table} CASCADE`,
} as const;

interface Campaign {
  id: string;
  importId: string;
}

let slugs = 0;

/** A campaign and its import row, in one transaction (events and log rows reference the import). */
async function newCampaign(session: Session): Promise<Campaign> {
  slugs += 1;
  const [campaign] = await session.query<{ id: string }>(
    'INSERT INTO campaigns (slug) VALUES ($1) RETURNING id',
    [`campaign-${slugs}`],
  );
  const id = campaign?.id ?? '';
  const [row] = await session.query<{ id: string }>(
    `INSERT INTO imports (campaign_id, package_id, manifest_hash, state_digest, files_digest, first_ordinal,
                          last_ordinal, tip_hash, counts, events_appended, objects_skipped, first_sequence_no,
                          last_sequence_no, duration_ms)
     VALUES ($1, 'P', $2, 'sd', 'fd', 0, 0, 'tip', '{}', 0, 0, 1, 1, 0) RETURNING id`,
    [id, `manifest-${slugs}`],
  );
  return { id, importId: row?.id ?? '' };
}

/** One multi-row INSERT of events with these ordinals (distinct keys and hashes per ordinal). */
function insertEvents(session: Session, campaign: Campaign, ordinals: readonly number[]): Promise<unknown> {
  return session.query(
    `INSERT INTO events (campaign_id, replay_ordinal, event_type, world_time, wall_time_utc, prev_event_hash,
                         payload_hash, idempotency_key, envelope_hash, payload_canonical, payload, import_id)
     SELECT $1, o, 'test.event', o, now(), sha256(convert_to('prev' || o, 'UTF8')),
            sha256(convert_to('payload' || o, 'UTF8')), decode(lpad(to_hex(o), 32, '0'), 'hex'),
            sha256(convert_to('envelope' || o, 'UTF8')), convert_to('{}', 'UTF8'), '{}', $3
       FROM unnest($2::bigint[]) AS o`,
    [campaign.id, ordinals, campaign.importId],
  );
}

function insertLog(session: Session, campaign: Campaign, numbers: readonly number[]): Promise<unknown> {
  return session.query(
    `INSERT INTO import_log (campaign_id, sequence_no, import_id, phase, object_type, stable_id, file_hash, action,
                             manifest_hash)
     SELECT $1, n, $3, 'entity', 'npc', 'object-' || n, 'file-hash', 'created', 'manifest-hash'
       FROM unnest($2::bigint[]) AS n`,
    [campaign.id, numbers, campaign.importId],
  );
}

async function numbers(
  session: Session,
  table: 'events' | 'import_log',
  campaign: Campaign,
): Promise<number[]> {
  const column = table === 'events' ? 'replay_ordinal' : 'sequence_no';
  const rows = await session.query<{ n: string }>(
    `SELECT ${column} AS n FROM ${table} WHERE campaign_id = $1 ORDER BY 1`,
    [campaign.id],
  );
  return rows.map((row) => Number(row.n));
}

async function refusal(
  promise: Promise<unknown>,
): Promise<{ sqlstate: string | undefined; message: string }> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error, 'the statement should have been refused').toBeInstanceOf(Error);
  return { sqlstate: sqlStateOf(error), message: (error as Error).message };
}

describe.each(backends())('ledger triggers on %s', (backend) => {
  let target: TestDatabase;
  let seeded: Campaign;

  beforeAll(async () => {
    target = await openTestDatabase(backend);
    seeded = await target.db.transaction(async (tx) => {
      const campaign = await newCampaign(tx);
      await insertEvents(tx, campaign, [0, 1, 2]);
      await insertLog(tx, campaign, [1, 2, 3]);
      await tx.query(
        `INSERT INTO import_runs (run_id, campaign, outcome, started_at, finished_at)
         VALUES ('run-1', 'campaign-1', 'committed', now(), now())`,
      );
      await tx.query(
        `INSERT INTO checkpoints (campaign_id, ordinal, tip_hash, events, document) VALUES ($1, 2, 'tip', 3, $2)`,
        [campaign.id, Buffer.from('{"tip":"x"}')],
      );
      return campaign;
    });
  });
  afterAll(async () => {
    await target?.drop();
  });

  describe('append-only tables', () => {
    const cases = APPEND_ONLY_TABLES.flatMap((table) =>
      (Object.keys(REFUSED_STATEMENTS) as (keyof typeof REFUSED_STATEMENTS)[]).map((operation) => ({
        table,
        operation,
      })),
    );

    it.each(cases)('$operation on $table is refused and changes nothing', async ({ table, operation }) => {
      const before = await databaseDigest(target.db);

      const { sqlstate, message } = await refusal(target.db.query(REFUSED_STATEMENTS[operation](table)));

      expect(sqlstate).toBe(APPEND_ONLY_SQLSTATE);
      expect(message).toBe(`chronicle.append_only: ${table} is append-only`);
      expect(await databaseDigest(target.db)).toBe(before);
    });

    it.each(APPEND_ONLY_TABLES)('an UPDATE of %s matching no row is refused too', async (table) => {
      const { sqlstate } = await refusal(target.db.query(`UPDATE ${table} SET ${CHANGE[table]} WHERE false`));
      expect(sqlstate).toBe(APPEND_ONLY_SQLSTATE);
    });

    it('a superuser with triggers switched off can still tamper, and the table digest sees it', async () => {
      const before = await tableDigest(target.db);

      await superuserQuery(target, `UPDATE checkpoints SET tip_hash = 'tampered' WHERE campaign_id = $1`, [
        seeded.id,
      ]);

      const after = await tableDigest(target.db);
      expect(after.checkpoints).not.toBe(before.checkpoints);
      expect({ ...after, checkpoints: '' }).toEqual({ ...before, checkpoints: '' });
    });

    it('the table digest reads every page: a tampered row far past the first page changes it', async () => {
      const campaign = await target.db.transaction(async (tx) => {
        const created = await newCampaign(tx);
        await insertEvents(
          tx,
          created,
          Array.from({ length: 4500 }, (_, i) => i),
        );
        return created;
      });
      const before = await tableDigest(target.db);
      expect(await tableDigest(target.db)).toEqual(before);

      await superuserQuery(
        target,
        `UPDATE events SET event_type = 'tampered' WHERE campaign_id = $1 AND replay_ordinal = 4321`,
        [campaign.id],
      );

      expect((await tableDigest(target.db)).events).not.toBe(before.events);
    });
  });

  describe('dense event ordinals', () => {
    it('accepts a multi-row insert of ordinals that continue the chain', async () => {
      const campaign = await target.db.transaction(async (tx) => {
        const created = await newCampaign(tx);
        await insertEvents(tx, created, [0, 1, 2]);
        await insertEvents(tx, created, [3, 4, 5, 6]);
        return created;
      });

      expect(await numbers(target.db, 'events', campaign)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    });

    it('refuses a first ordinal other than 0', async () => {
      const failed = target.db.transaction(async (tx) => insertEvents(tx, await newCampaign(tx), [1, 2]));

      const { sqlstate, message } = await refusal(failed);

      expect(sqlstate).toBe(DENSE_NUMBERS_SQLSTATE);
      expect(message).toMatch(/^chronicle\.ordinal_gap campaign \d+ expected 0 got 1$/);
    });

    it('refuses a batch that skips past the last ordinal, and writes none of it', async () => {
      const before = await databaseDigest(target.db);

      const { sqlstate, message } = await refusal(
        target.db.transaction((tx) => insertEvents(tx, seeded, [4, 5])),
      );

      expect(sqlstate).toBe(DENSE_NUMBERS_SQLSTATE);
      expect(message).toBe(`chronicle.ordinal_gap campaign ${seeded.id} expected 3 got 4`);
      expect(await numbers(target.db, 'events', seeded)).toEqual([0, 1, 2]);
      expect(await databaseDigest(target.db)).toBe(before);
    });

    it('refuses a batch with a hole inside it', async () => {
      const { message } = await refusal(
        target.db.transaction((tx) => insertEvents(tx, seeded, [3, 4, 6, 7])),
      );

      expect(message).toBe(`chronicle.ordinal_gap campaign ${seeded.id} expected 5 got 6`);
    });

    it('checks each campaign of a statement on its own', async () => {
      const [first, second] = await target.db.transaction(async (tx) => [
        await newCampaign(tx),
        await newCampaign(tx),
      ]);
      const both = (ordinalsOfSecond: string) =>
        target.db.query(
          `INSERT INTO events (campaign_id, replay_ordinal, event_type, world_time, wall_time_utc, prev_event_hash,
                               payload_hash, idempotency_key, envelope_hash, payload_canonical, payload)
           SELECT c, o, 'test.event', o, now(), sha256('\\x00'), sha256('\\x01'), decode(lpad(to_hex(o), 32, '0'), 'hex'),
                  sha256('\\x02'), '\\x7b7d', '{}'
             FROM (VALUES ($1::bigint, 0::bigint), ($1, 1), ${ordinalsOfSecond}) AS v(c, o)`,
          [first?.id, second?.id],
        );

      const { message } = await refusal(both('($2, 0), ($2, 2)'));
      expect(message).toBe(`chronicle.ordinal_gap campaign ${second?.id} expected 1 got 2`);

      await both('($2, 0)');
      expect(await numbers(target.db, 'events', first as Campaign)).toEqual([0, 1]);
      expect(await numbers(target.db, 'events', second as Campaign)).toEqual([0]);
    });
  });

  describe('dense ImportLog sequence numbers', () => {
    it('start at 1 and continue across statements', async () => {
      const campaign = await target.db.transaction(async (tx) => {
        const created = await newCampaign(tx);
        await insertLog(tx, created, [1, 2]);
        await insertLog(tx, created, [3]);
        return created;
      });

      expect(await numbers(target.db, 'import_log', campaign)).toEqual([1, 2, 3]);
    });

    it('refuses a gap', async () => {
      const { sqlstate, message } = await refusal(target.db.transaction((tx) => insertLog(tx, seeded, [5])));

      expect(sqlstate).toBe(DENSE_NUMBERS_SQLSTATE);
      expect(message).toBe(`chronicle.sequence_gap campaign ${seeded.id} expected 4 got 5`);
      expect(await numbers(target.db, 'import_log', seeded)).toEqual([1, 2, 3]);
    });

    it('refuses a first number other than 1', async () => {
      const { message } = await refusal(
        target.db.transaction(async (tx) => insertLog(tx, await newCampaign(tx), [2])),
      );

      expect(message).toMatch(/^chronicle\.sequence_gap campaign \d+ expected 1 got 2$/);
    });
  });
  describe('references to campaigns and imports', () => {
    const MISSING_CAMPAIGN = '999999999';
    const PROJECTION_TABLES = ['entities', 'edges', 'tags', 'affordances', 'chunks'] as const;

    /** A campaign whose import id is reserved, as the importer does, and whose import row is not written yet. */
    async function campaignWithReservedImport(session: Session): Promise<Campaign> {
      slugs += 1;
      const [row] = await session.query<{ id: string; import_id: string }>(
        `WITH campaign AS (INSERT INTO campaigns (slug) VALUES ($1) RETURNING id)
         SELECT id, nextval(pg_get_serial_sequence('imports', 'id'))::text AS import_id FROM campaign`,
        [`campaign-${slugs}`],
      );
      return { id: row?.id ?? '', importId: row?.import_id ?? '' };
    }

    function insertImportRow(session: Session, campaign: Campaign): Promise<unknown> {
      return session.query(
        `INSERT INTO imports (id, campaign_id, package_id, manifest_hash, state_digest, files_digest, first_ordinal,
                              last_ordinal, tip_hash, counts, events_appended, objects_skipped, first_sequence_no,
                              last_sequence_no, duration_ms)
         OVERRIDING SYSTEM VALUE
         VALUES ($1, $2, 'P', 'm', 'sd', 'fd', 0, 1, 'tip', '{}', 2, 0, 1, 1, 0)`,
        [campaign.importId, campaign.id],
      );
    }

    function insertProjection(table: string, campaignIds: readonly string[]): Promise<unknown> {
      return target.db.query(
        `INSERT INTO ${table} (campaign_id, stable_id, object_type, package_id, source_path, content_hash, file_hash,
                               event_ordinal, payload)
         SELECT c, 'object-' || ordinality, 'npc', 'P', 'x.json', 'h', 'h', 0, '{}'
           FROM unnest($1::bigint[]) WITH ORDINALITY AS c`,
        [campaignIds],
      );
    }

    it.each([
      ['events', (campaign: Campaign) => insertEvents(target.db, campaign, [0])],
      ['import_log', (campaign: Campaign) => insertLog(target.db, campaign, [1])],
    ] as const)('a row of %s naming a campaign that does not exist is refused', async (table, insert) => {
      const before = await databaseDigest(target.db);

      const { sqlstate, message } = await refusal(insert({ ...seeded, id: MISSING_CAMPAIGN }));

      expect(sqlstate).toBe('23503');
      expect(message).toBe(
        `chronicle.missing_campaign: ${table} row names campaign ${MISSING_CAMPAIGN}, which does not exist`,
      );
      expect(await databaseDigest(target.db)).toBe(before);
    });

    it.each(PROJECTION_TABLES)(
      'a statement writing %s rows is refused whole when one names a campaign that does not exist',
      async (table) => {
        const before = await databaseDigest(target.db);

        const { sqlstate, message } = await refusal(insertProjection(table, [seeded.id, MISSING_CAMPAIGN]));

        expect(sqlstate).toBe('23503');
        expect(message).toContain(`${table} row names campaign ${MISSING_CAMPAIGN}`);
        expect(await databaseDigest(target.db)).toBe(before);
        await insertProjection(table, [seeded.id]);
        const [count] = await target.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`);
        expect(count?.n).toBe('1');
      },
    );

    it.each([
      ['events', (tx: Session, campaign: Campaign) => insertEvents(tx, campaign, [0, 1])],
      ['import_log', (tx: Session, campaign: Campaign) => insertLog(tx, campaign, [1, 2])],
    ] as const)('%s rows naming an import that is never written are refused at commit', async (_, insert) => {
      const before = await databaseDigest(target.db);

      const { sqlstate, message } = await refusal(
        target.db.transaction(async (tx) => {
          const campaign = await campaignWithReservedImport(tx);
          await insert(tx, campaign);
          // accepted so far: the import's row may still come before the commit
        }),
      );

      expect(sqlstate).toBe('23503');
      expect(message).toContain('import_references');
      expect(await databaseDigest(target.db)).toBe(before);
    });

    it('accepts an import row written after its events and ImportLog rows, as an import writes them', async () => {
      const campaign = await target.db.transaction(async (tx) => {
        const reserved = await campaignWithReservedImport(tx);
        await insertEvents(tx, reserved, [0]);
        await insertEvents(tx, reserved, [1]);
        await insertLog(tx, reserved, [1]);
        await insertImportRow(tx, reserved);
        return reserved;
      });

      expect(await numbers(target.db, 'events', campaign)).toEqual([0, 1]);
      const noted = await target.db.query<{ import_id: string }>(
        'SELECT import_id::text FROM import_references WHERE import_id = $1',
        [campaign.importId],
      );
      expect(noted).toEqual([{ import_id: campaign.importId }]);
    });
  });
});

describe.skipIf(!process.env.DATABASE_URL)('dense numbering under COPY (pg)', () => {
  let target: TestDatabase;
  let client: pg.Client;
  let campaign: Campaign;

  beforeAll(async () => {
    target = await pgTestDatabase();
    campaign = await target.db.transaction((tx) => newCampaign(tx));
    client = new pg.Client({ connectionString: target.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await target?.drop();
  });

  /** COPY of events in text format; bytea values as `\\x<hex>` (the backslash escaped for COPY). */
  function copyEvents(ordinals: readonly number[]): Promise<void> {
    const hex = (byte: number, length: number) => `\\\\x${byte.toString(16).padStart(2, '0').repeat(length)}`;
    const lines = ordinals.map(
      (o) =>
        `${[
          campaign.id,
          o,
          'test.event',
          o,
          '2025-01-01T12:00:00Z',
          hex(o, 32),
          hex(o, 32),
          hex(o, 16),
          hex(o, 32),
          hex(0x7b, 1),
          '{}',
          campaign.importId,
        ].join('\t')}\n`,
    );
    const stream = client.query(
      copyStreams.from(
        `COPY events (campaign_id, replay_ordinal, event_type, world_time, wall_time_utc, prev_event_hash,
                      payload_hash, idempotency_key, envelope_hash, payload_canonical, payload, import_id) FROM STDIN`,
      ),
    );
    return pipeline(Readable.from(lines), stream);
  }

  it('fires the ordinal check: a gap is refused, dense rows are accepted', async () => {
    const { sqlstate, message } = await refusal(copyEvents([0, 2]));
    expect(sqlstate).toBe(DENSE_NUMBERS_SQLSTATE);
    expect(message).toBe(`chronicle.ordinal_gap campaign ${campaign.id} expected 1 got 2`);

    await copyEvents([0, 1, 2]);
    expect(await numbers(target.db, 'events', campaign)).toEqual([0, 1, 2]);
  });
});
