/**
 * A connection lost under `verify` or `export` (PostgreSQL). They read every stream a page ahead: the next page's statement is sent while the current page
 * is worked on. When the connection is lost just then (the server stopped or restarted), that statement fails
 * before anything waits for it. The failure must reach the reader as an error at the next page (exit 3,
 * `db.connection_lost`), not end the process as an unhandled rejection (exit 1, a stack trace, no JSON, and an
 * export's `.partial` file left behind).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open-database.js';
import { importPackage } from '../../src/index.js';
import { databaseSource, inSnapshot } from '../../src/ledger/db-source.js';
import { pagesOf } from '../../src/ledger/paged.js';
import { verifyCampaign } from '../../src/ledger/verify-campaign.js';
import { LIGHTHOUSE } from '../audit/support.js';
import { startCommitCuttingProxy } from '../support/commit-cutting-proxy.js';
import { pgTestDatabase } from '../support/databases.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.skipIf(!process.env.DATABASE_URL)(
  'a connection lost while a page is read ahead (PostgreSQL)',
  () => {
    it('fails the read at the next page, and nothing is left unhandled', async () => {
      const target = await pgTestDatabase();
      cleanups.push(() => target.drop());
      await importPackage(target.db, LIGHTHOUSE, { campaign: 'c' });
      // The connection is cut as the server answers the events' second page of two (read ahead of the first).
      const proxy = await startCommitCuttingProxy(target.url, {
        marker: `replay_ordinal > '1'::bigint`,
        mode: 'after_marked_answered',
      });
      cleanups.push(() => proxy.close());
      const db = await openDatabase({ databaseUrl: proxy.url, migrate: false });
      cleanups.push(() => db.close().catch(() => {}));
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown) => unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      cleanups.push(async () => {
        process.off('unhandledRejection', onUnhandled);
      });

      const read = inSnapshot(db, 'read only', async (tx) => {
        const pages = pagesOf((await databaseSource(tx, 'c', 2)).events())[Symbol.asyncIterator]();
        const first = await pages.next();
        expect(first.value).toHaveLength(2);
        // Working on the first page while the second, read ahead, fails.
        await expect.poll(() => proxy.cuts).toBe(1);
        await sleep(100);
        await pages.next();
      });

      await expect(read).rejects.toThrow();
      expect(unhandled).toEqual([]);
    });

    it('a read-only snapshot whose COMMIT answer is lost keeps what it read: the verification stands', async () => {
      const target = await pgTestDatabase();
      cleanups.push(() => target.drop());
      await importPackage(target.db, LIGHTHOUSE, { campaign: 'c' });
      const proxy = await startCommitCuttingProxy(target.url, {
        marker: 'SET LOCAL enable_bitmapscan',
        mode: 'before_commit',
      });
      cleanups.push(() => proxy.close());
      const db = await openDatabase({ databaseUrl: proxy.url, migrate: false });
      cleanups.push(() => db.close().catch(() => {}));

      const report = await verifyCampaign(db, 'c');

      expect(proxy.cuts).toBe(1);
      expect(report).toMatchObject({ ok: true, events: 18 });
    });
  },
);
