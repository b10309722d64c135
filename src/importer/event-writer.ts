/**
 * Appends an import's events to the campaign's chain: ordinals, idempotency keys and envelope hashes are
 * computed as the rows stream to the database (so hashing overlaps with ingestion), and the rows go out in
 * batches (binary COPY or multi-row INSERT). The stream is cut exactly at `after-events:<n>` fault points, so
 * a fault fires once the n-th event has been written.
 */
import type { Session } from '../db/database.js';
import { envelopeHash, idempotencyKeyV2, payloadHash, topLevelRulesetVersion } from '../ledger/envelope.js';
import type { PlannedEvent } from '../plan/types.js';
import type { FaultPoints } from './faults.js';
import type { EventRow } from './import-sql.js';
import { type TableWriter, writeRows } from './row-writer.js';

/** Computes ordinals, idempotency keys and envelope hashes, each event linking to the previous one. */
export class ChainBuilder {
  private ordinal: bigint;
  tip: Buffer;

  constructor(
    private readonly campaignId: string,
    firstOrdinal: bigint,
    tip: Buffer,
    private readonly wallTimeMicros: bigint,
  ) {
    this.ordinal = firstOrdinal;
    this.tip = Buffer.from(tip);
  }

  next(event: PlannedEvent): EventRow {
    const hashOfPayload = payloadHash(event.payloadCanonical);
    const idempotencyKey = idempotencyKeyV2({
      campaignId: this.campaignId,
      eventType: event.eventType,
      rulesetVersion: topLevelRulesetVersion(event.payloadCanonical),
      canonicalArgs: event.payloadCanonical,
    });
    const ordinal = this.ordinal;
    const prevEventHash = this.tip;
    const hash = envelopeHash({
      campaignId: this.campaignId,
      replayOrdinal: ordinal,
      eventType: event.eventType,
      schemaVersion: 1,
      worldTime: ordinal,
      wallTimeMicros: this.wallTimeMicros,
      prevEventHash,
      payloadHash: hashOfPayload,
      idempotencyKey,
    });
    this.ordinal += 1n;
    this.tip = hash;
    return {
      ordinal,
      eventType: event.eventType,
      prevEventHash,
      payloadHash: hashOfPayload,
      idempotencyKey,
      envelopeHash: hash,
      payloadCanonical: event.payloadCanonical,
    };
  }
}

export interface EventWriterContext {
  batchSize: number;
  faults: FaultPoints;
  onProgress: (eventsWritten: number) => void;
}

export class EventWriter {
  private appended = 0;
  private written = 0;

  constructor(
    private readonly tx: Session,
    private readonly table: TableWriter<EventRow>,
    private readonly chain: ChainBuilder,
    private readonly ctx: EventWriterContext,
  ) {}

  /** Appends one event; returns its ordinal. */
  async appendOne(event: PlannedEvent): Promise<bigint> {
    let appended = -1n;
    await this.append(
      [event],
      (item) => item,
      (_, ordinal) => {
        appended = ordinal;
      },
    );
    return appended;
  }

  /** Appends the events of `items` in order, telling `onOrdinal` the ordinal each one got. */
  async append<T>(
    items: readonly T[],
    eventOf: (item: T) => PlannedEvent,
    onOrdinal: (item: T, ordinal: bigint) => void = () => {},
  ): Promise<void> {
    let start = 0;
    while (start < items.length) {
      const end = this.segmentEnd(start, items.length);
      await writeRows(
        this.tx,
        this.table,
        this.rows(items, start, end, eventOf, onOrdinal),
        this.ctx.batchSize,
        (n) => {
          this.written += n;
          this.ctx.onProgress(this.written);
        },
      );
      start = end;
      if (this.ctx.faults.eventThresholds.has(this.appended)) {
        await this.ctx.faults.reach(`after-events:${this.appended}`, this.tx);
      }
    }
  }

  private *rows<T>(
    items: readonly T[],
    start: number,
    end: number,
    eventOf: (item: T) => PlannedEvent,
    onOrdinal: (item: T, ordinal: bigint) => void,
  ): Generator<EventRow> {
    for (let i = start; i < end; i += 1) {
      const item = items[i] as T;
      const row = this.chain.next(eventOf(item));
      this.appended += 1;
      onOrdinal(item, row.ordinal);
      yield row;
    }
  }

  /** Where the segment starting at `start` ends: right after the next fault threshold, else at `length`. */
  private segmentEnd(start: number, length: number): number {
    const thresholds = this.ctx.faults.eventThresholds;
    if (thresholds.size === 0) return length;
    for (let end = start + 1; end <= length; end += 1) {
      if (thresholds.has(this.appended + (end - start))) return end;
    }
    return length;
  }
}
