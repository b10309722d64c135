/**
 * `chronicle export`: writes a campaign as an offline audit bundle (see bundle-format.ts), streamed from
 * one consistent snapshot of the database with constant memory. The file appears under its name only when
 * complete (written as `<out>.partial`, then renamed; removed if the export fails or is stopped).
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { type Clock, microsToIso, systemClock } from '../clock.js';
import type { Session } from '../db/database.js';
import {
  BUNDLE_FORMAT,
  encodeCheckpoint,
  encodeEnd,
  encodeEvent,
  encodeHeader,
  encodeImport,
  encodeLogRow,
  encodeProjection,
  type SectionCounts,
} from './bundle-format.js';
import { databaseSource, inSnapshot } from './db-source.js';
import { campaignNotFound } from './ledger-sql.js';

export interface ExportOptions {
  clock?: Clock;
  batchSize?: number;
  /** Every 10,000 events; `expected`: the events up to the campaign's tip. */
  onProgress?: (eventsWritten: number, expected?: number) => void;
  /** Stops the export when aborted (at the next line; its reason is thrown): the unfinished file is removed. */
  signal?: AbortSignal;
}

export interface ExportResult {
  campaign: string;
  counts: SectionCounts;
  tipHash: string | null;
  bytes: number;
}

export function exportBundle(
  session: Session,
  campaign: string,
  outPath: string,
  options: ExportOptions = {},
): Promise<ExportResult> {
  const clock = options.clock ?? systemClock;
  return inSnapshot(session, 'read only', async (tx) => {
    const source = await databaseSource(tx, campaign, options.batchSize);
    if (source.campaignId === null) {
      throw await campaignNotFound(tx, campaign);
    }
    const partial = `${outPath}.partial`;
    const out = createWriteStream(partial);
    let bytes = 0;
    const write = async (line: string): Promise<void> => {
      options.signal?.throwIfAborted();
      bytes += Buffer.byteLength(line);
      if (!out.write(line)) await once(out, 'drain');
    };
    const counts: SectionCounts = { event: 0, import: 0, import_log: 0, projection: 0, checkpoint: 0 };
    let tipHash: string | null = null;
    try {
      await write(
        encodeHeader({
          format: BUNDLE_FORMAT,
          campaign,
          campaign_id: source.campaignId,
          exported_at: microsToIso(clock.nowMicros()),
        }),
      );
      for await (const event of source.events()) {
        await write(encodeEvent(event));
        counts.event += 1;
        tipHash = event.envelopeHash.toString('hex');
        if (counts.event % 10_000 === 0) options.onProgress?.(counts.event, source.expectedEvents);
      }
      for await (const record of source.imports()) {
        await write(encodeImport(record));
        counts.import += 1;
      }
      for await (const row of source.importLog()) {
        await write(encodeLogRow(row));
        counts.import_log += 1;
      }
      for await (const row of source.projections()) {
        await write(encodeProjection(row));
        counts.projection += 1;
      }
      for await (const checkpoint of source.checkpoints()) {
        await write(encodeCheckpoint(checkpoint));
        counts.checkpoint += 1;
      }
      await write(encodeEnd(counts));
      out.end();
      await once(out, 'finish');
      await rename(partial, outPath);
    } catch (error) {
      // The file is opened in the background: removed only once the stream has closed it (an export stopped
      // before the open finished would otherwise see it created after its removal).
      out.destroy();
      if (!out.closed) await once(out, 'close').catch(() => undefined);
      await rm(partial, { force: true });
      throw error;
    }
    return { campaign, counts, tipHash, bytes };
  });
}
