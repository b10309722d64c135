/**
 * `Session.copyOut` (PostgreSQL server sessions): a binary COPY read back tuple by tuple, and a consumer that
 * stops in the middle (an error during a chain-only verification) leaves a connection that still rolls back
 * and serves the next statement.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyTuples } from '../../src/db/copy-decoder.js';
import { openTestDatabase, type TestDatabase } from '../support/databases.js';

describe.skipIf(!process.env.DATABASE_URL)('copyOut on pg', () => {
  let target: TestDatabase;
  beforeAll(async () => {
    target = await openTestDatabase('pg');
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
});
