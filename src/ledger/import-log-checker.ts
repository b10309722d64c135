/**
 * Checks the ImportLog against the events and the imports, in one pass: sequence numbers are 1, 2, 3, ...
 * with no gap; every event has exactly one row pointing at it, of the right phase, object type, stable id,
 * hash and action (rows without an event are `skipped` objects); each import's rows fill its sequence range,
 * carry its id and manifest hash, count its skipped objects, and recompute its state digest.
 *
 * Rows come in sequence order and events in ordinal order; rows that point at events appear in the same
 * order as the events, so the two streams merge. A row whose pointer was altered is recognised by its
 * neighbours (the next pointing row continues where it should have), so one bad row is one problem.
 */
import type { ImportRecord, LogRecord, ReportProblem } from './audit-records.js';
import { DigestAccumulator } from './digest-accumulator.js';
import { COMPLETION_EVENT, type EventFacts, MANIFEST_EVENT, projectionTableOf, text } from './event-facts.js';
import { Peekable } from './peekable.js';

/** How far to look for the next row that points at an event (skipped rows point at none). */
const LOOKAHEAD = 64;

interface ExpectedRow {
  phase: string;
  objectType: string;
  stableId: string | null;
  fileHash: string | null;
  action: string;
}

/** The row's fields compared with the event, in the order they are reported (LogRecord has them too). */
const ROW_FIELDS = [
  'phase',
  'objectType',
  'stableId',
  'fileHash',
  'action',
] as const satisfies readonly (keyof ExpectedRow & keyof LogRecord)[];

export class ImportLogChecker {
  private readonly rows: Peekable<LogRecord>;
  private readonly imports: Peekable<ImportRecord>;
  private expectedSeq = 1n;
  private current: ImportRecord | null = null;
  private previousLastSeq = 0n;
  private rowsInImport = 0n;
  private skippedInImport = 0;
  private summaryRow: LogRecord | null = null;
  private readonly digest = new DigestAccumulator();
  private lastMatched = -1n;
  private lastEvent = -1n;

  constructor(
    rows: AsyncIterable<LogRecord>,
    imports: AsyncIterable<ImportRecord>,
    private readonly report: ReportProblem,
  ) {
    this.rows = new Peekable(rows);
    this.imports = new Peekable(imports);
  }

  async onEvent(event: EventFacts): Promise<void> {
    const n = event.ordinal;
    this.lastEvent = n;
    let accounted = false;
    for (;;) {
      const row = await this.rows.peek();
      if (!row) break;
      if (row.eventOrdinal === null) {
        await this.rows.next();
        await this.process(row, null);
        continue;
      }
      if (row.eventOrdinal < n) {
        await this.rows.next();
        await this.process(row, null);
        continue;
      }
      if (row.eventOrdinal === n) {
        await this.rows.next();
        await this.process(row, event);
        this.lastMatched = n;
        accounted = true;
        break;
      }
      const following = await this.nextPointingRow();
      if (following?.eventOrdinal != null && following.eventOrdinal < row.eventOrdinal) {
        await this.rows.next();
        this.report(
          n,
          'import_log_mismatch',
          `ImportLog row ${row.sequenceNo} stands where event ${n}'s row belongs (between the rows of events ${this.lastMatched} and ${following.eventOrdinal}) but points at event ${row.eventOrdinal}`,
        );
        await this.process(row, null, n);
        this.lastMatched = n;
        accounted = true;
      }
      break;
    }
    if (!accounted) {
      this.report(
        n,
        'import_log_mismatch',
        `event ${n} (${event.eventType}) has no ImportLog row pointing at it`,
      );
    }
  }

  /** Ends the streams early (after an error). */
  async close(): Promise<void> {
    await this.rows.close();
    await this.imports.close();
    this.digest.dispose();
  }

  async finish(): Promise<void> {
    for (let row = await this.rows.next(); row; row = await this.rows.next()) await this.process(row, null);
    if (this.current) await this.closeImport(this.current);
    for (let next = await this.imports.next(); next; next = await this.imports.next()) {
      this.report(
        next.firstOrdinal,
        'import_log_mismatch',
        `import ${next.id} (package ${next.packageId}) names ImportLog rows ${next.firstSequenceNo}..${next.lastSequenceNo}, which are not there`,
      );
    }
  }

  /** The first row after the next one that points at an event, within the look-ahead. */
  private async nextPointingRow(): Promise<LogRecord | undefined> {
    for (let i = 1; i <= LOOKAHEAD; i++) {
      const row = await this.rows.peek(i);
      if (!row || row.eventOrdinal !== null) return row;
    }
    return undefined;
  }

  /**
   * Sequence, import and digest bookkeeping for one row, then its comparison with the event it points at
   * (`event`), or the report of a pointer to an event that is not there. `misplacedAt`: the row's pointer was
   * already reported, at that ordinal.
   */
  private async process(row: LogRecord, event: EventFacts | null, misplacedAt?: bigint): Promise<void> {
    const owner = await this.importFor(row);
    const at = misplacedAt ?? row.eventOrdinal ?? owner?.lastOrdinal ?? this.lastEvent + 1n;
    const name = `ImportLog row ${row.sequenceNo}`;
    if (row.sequenceNo !== this.expectedSeq) {
      this.report(
        at,
        'import_log_mismatch',
        `${name} follows row ${this.expectedSeq - 1n}: sequence numbers must be dense`,
      );
    }
    if (row.sequenceNo >= this.expectedSeq) this.expectedSeq = row.sequenceNo + 1n;

    if (!owner) {
      this.report(
        at,
        'import_log_mismatch',
        `${name} (import_id ${row.importId}) lies in no import's sequence range`,
      );
    } else {
      this.rowsInImport += 1n;
      if (row.action === 'skipped') this.skippedInImport += 1;
      this.digest.add(row);
      if (row.phase === 'finalization') this.summaryRow = row;
      if (row.importId !== owner.id || row.manifestHash !== owner.manifestHash) {
        this.report(
          at,
          'import_log_mismatch',
          `${name} carries import_id ${row.importId}, manifest ${row.manifestHash}; its sequence range belongs to import ${owner.id}, manifest ${owner.manifestHash}`,
        );
      }
    }

    if (misplacedAt !== undefined) return;
    if (event) {
      this.compare(row, event);
    } else if (row.eventOrdinal === null) {
      if (row.action !== 'skipped') {
        this.report(
          at,
          'import_log_mismatch',
          `${name} (${row.stableId}, action ${row.action}) points at no event; only skipped objects have none`,
        );
      }
    } else {
      const why =
        row.eventOrdinal <= this.lastMatched
          ? 'out of sequence (that event already has its row)'
          : row.eventOrdinal > this.lastEvent
            ? 'beyond the end of the chain'
            : 'not in the chain';
      this.report(
        row.eventOrdinal,
        'import_log_mismatch',
        `${name} (${row.stableId}) points at event ${row.eventOrdinal}, ${why}`,
      );
    }
  }

  private compare(row: LogRecord, event: EventFacts): void {
    const expected = expectedRow(event);
    const name = `ImportLog row ${row.sequenceNo}`;
    if (!expected) {
      // A payload that cannot be read is reported by the chain check; an unknown event type is not logged.
      if (event.payload === null || isLoggedEventType(event.eventType)) return;
      this.report(
        event.ordinal,
        'import_log_mismatch',
        `${name} points at event ${event.ordinal}, a ${event.eventType} event no import logs`,
      );
      return;
    }
    const differences = ROW_FIELDS.filter((key) => expected[key] !== row[key]);
    if (differences.length > 0) {
      const described = differences.map(
        (key) => `${key} ${String(row[key])} (event: ${String(expected[key])})`,
      );
      this.report(
        event.ordinal,
        'import_log_mismatch',
        `${name} disagrees with event ${event.ordinal} (${event.eventType}): ${described.join(', ')}`,
      );
    }
  }

  /** The import whose sequence range holds the row (imports come in id order, their ranges ascending). */
  private async importFor(row: LogRecord): Promise<ImportRecord | null> {
    for (;;) {
      if (this.current && row.sequenceNo > this.current.lastSequenceNo) {
        await this.closeImport(this.current);
        continue;
      }
      const next = this.current ? undefined : await this.imports.peek();
      if (next && next.firstSequenceNo <= row.sequenceNo) {
        await this.imports.next();
        this.openImport(next);
        continue;
      }
      break;
    }
    return this.current && row.sequenceNo >= this.current.firstSequenceNo ? this.current : null;
  }

  private openImport(record: ImportRecord): void {
    if (record.firstSequenceNo !== this.previousLastSeq + 1n) {
      this.report(
        record.firstOrdinal,
        'import_log_mismatch',
        `import ${record.id} (package ${record.packageId}) starts at ImportLog row ${record.firstSequenceNo}, but the previous import ends at row ${this.previousLastSeq}`,
      );
    }
    this.current = record;
    this.rowsInImport = 0n;
    this.skippedInImport = 0;
    this.summaryRow = null;
  }

  private async closeImport(record: ImportRecord): Promise<void> {
    const span = `import ${record.id} (package ${record.packageId})`;
    const rows = `ImportLog rows ${record.firstSequenceNo}..${record.lastSequenceNo}`;
    const expectedRows = record.lastSequenceNo - record.firstSequenceNo + 1n;
    if (this.rowsInImport !== expectedRows) {
      this.report(
        record.lastOrdinal,
        'import_log_mismatch',
        `${span} names ${rows}, but ${this.rowsInImport} of them are present`,
      );
    }
    if (this.skippedInImport !== record.objectsSkipped) {
      this.report(
        record.lastOrdinal,
        'import_mismatch',
        `${span} records ${record.objectsSkipped} objects skipped, its ${rows} hold ${this.skippedInImport} skipped objects`,
      );
    }
    const recomputed = await this.digest.take();
    if (recomputed !== record.stateDigest) {
      this.report(
        record.lastOrdinal,
        'state_digest',
        `${span}: its ${rows} recompute to state digest ${recomputed}, the import row holds ${record.stateDigest}`,
      );
    }
    if (!this.summaryRow) {
      this.report(
        record.lastOrdinal,
        'import_log_mismatch',
        `${span} has no finalization row among its ${rows}`,
      );
    } else if (this.summaryRow.fileHash !== record.stateDigest) {
      this.report(
        record.lastOrdinal,
        'state_digest',
        `${span}: its summary row ${this.summaryRow.sequenceNo} carries state digest ${this.summaryRow.fileHash}, the import row holds ${record.stateDigest}`,
      );
    }
    if (record.lastSequenceNo > this.previousLastSeq) this.previousLastSeq = record.lastSequenceNo;
    this.current = null;
  }
}

function expectedRow(event: EventFacts): ExpectedRow | null {
  const payload = event.payload;
  if (event.eventType === MANIFEST_EVENT && payload) {
    return {
      phase: 'manifest',
      objectType: 'package',
      stableId: text(payload.package_id),
      fileHash: text(payload.manifest_hash),
      action: 'validated',
    };
  }
  if (event.eventType === COMPLETION_EVENT && payload) {
    const packageId = text(payload.package_id);
    return {
      phase: 'finalization',
      objectType: 'summary',
      stableId: packageId === null ? null : `summary-${packageId}`,
      fileHash: text(payload.state_digest),
      action: 'completed',
    };
  }
  const object = event.object;
  if (!object) return null;
  return {
    phase: object.logPhase,
    objectType: object.objectType,
    stableId: object.stableId,
    fileHash: object.contentHash,
    action: object.logAction,
  };
}

/** The event types an import writes one ImportLog row for. */
function isLoggedEventType(eventType: string): boolean {
  return (
    eventType === MANIFEST_EVENT || eventType === COMPLETION_EVENT || projectionTableOf(eventType) !== null
  );
}
