/**
 * `Session.copyOut`: a binary COPY read back tuple by tuple (a PostgreSQL server streams it, PGlite returns it
 * whole), a consumer that stops in the middle (an error during a chain-only verification) leaves a
 * connection that still rolls back and serves the next statement, and a chain read in COPY pages is the
 * chain read by queries, page boundaries and gaps included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyTuples } from '../../src/db/copy-decoder.js';
import { readEvents } from '../../src/ledger/ledger-sql.js';
import { importAll, LIGHTHOUSE, SMALL } from '../audit/support.js';
import { backends, openTestDatabase, superuserQuery, type TestDatabase } from '../support/databases.js';

describe.each(backends())('copyOut on %s', (backend) => {
  let target: TestDatabase;
  beforeAll(async () => {
    target = await openTestDatabase(backend);
  });
  afterAll(async () => {
    await target?.drop();
  });

  const rows = 'SELECT n::bigint, repeat(chr(233), n % 50), NULL::bytea FROM generate_series(1, 20000) n';

  it('streams every tuple of the query', async () => {
    const numbers = await target.db.transaction(async (tx) => {
      const seen: bigint[] = [];
      for await (const page of copyTuples((tx.copyOut as (q: string) => AsyncIterable<Buffer>)(rows))) {
        for (const tuple of page) {
          seen.push((tuple[0] as Buffer).readBigInt64BE(0));
          expect((tuple[1] as Buffer).toString('utf8')).toBe('é'.repeat(Number(seen.at(-1)) % 50));
          expect(tuple[2]).toBeNull();
        }
      }
      return seen;
    });
    expect(numbers).toHaveLength(20000);
    expect(numbers.at(-1)).toBe(20000n);
  });

  it('rolls back and goes on after a consumer that stopped early', async () => {
    const failed = target.db.transaction(async (tx) => {
      for await (const _chunk of (tx.copyOut as (q: string) => AsyncIterable<Buffer>)(rows)) {
        throw new Error('stopped in the middle of the COPY');
      }
    });
    await expect(failed).rejects.toThrow('stopped in the middle of the COPY');
    await expect(target.db.transaction((tx) => tx.query('SELECT 1 AS one'))).resolves.toEqual([{ one: 1 }]);
  });

  it('reads a chain in COPY (whole or in pages, with or without the audit columns) as queries read it, across pages and gaps', async () => {
    await importAll(target, 'pages', [LIGHTHOUSE, SMALL]);
    const [campaign] = await target.db.query<{ id: string }>(
      "SELECT id::text AS id FROM campaigns WHERE slug = 'pages'",
    );
    const id = campaign?.id ?? '';
    // A gap at a page boundary and one inside a page: the pages go on after the last ordinal read.
    await superuserQuery(
      target,
      `DELETE FROM events WHERE campaign_id = ${id} AND replay_ordinal IN (7, 8, 20)`,
    );
    type Read = { ordinals: bigint[]; envelopes: string[]; audit: unknown[] };
    const read = (batchSize: number, scope: 'chain' | 'full', copy: boolean) =>
      target.db.transaction(async (tx) => {
        // Without its COPY methods the session is read by row queries: the reference the pages must match.
        const session = copy ? tx : { backend: tx.backend, query: tx.query.bind(tx) };
        const seen: Read = { ordinals: [], envelopes: [], audit: [] };
        for await (const event of readEvents(session, id, batchSize, scope)) {
          seen.ordinals.push(event.replayOrdinal);
          seen.envelopes.push(event.envelopeHash.toString('hex'));
          if (scope === 'full') {
            seen.audit.push([event.payloadJsonMatches, event.payloadJsonb, event.importId, event.actorId]);
          }
        }
        return seen;
      });
    const byQueries = await read(1000, 'full', false);
    expect(byQueries.ordinals).toHaveLength(18 + 35 - 3);
    expect(byQueries.audit[0]).toEqual([true, null, expect.stringMatching(/^[0-9]+$/), 'importer']);
    for (const batchSize of [1, 7, 1000]) {
      expect(await read(batchSize, 'full', true)).toEqual(byQueries);
      expect(await read(batchSize, 'chain', true)).toEqual({ ...byQueries, audit: [] });
    }
  });
});
