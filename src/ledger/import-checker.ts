/**
 * Checks the `imports` rows against the events, walking both in ordinal order: the imports tile the chain
 * (0..a, a+1..b, ...), every event carries the id of the import whose range holds it, each range opens
 * with the manifest event and closes with the completion event of the same package, and the import row's
 * tip hash, state digest and counts are what that completion event and its envelope say.
 */
import { JsonNumber } from '../canonical/index.js';
import type { ImportRecord, RecordedRun, ReportProblem } from './audit-records.js';
import { COMPLETION_EVENT, type EventFacts, MANIFEST_EVENT, text } from './event-facts.js';
import { Peekable } from './peekable.js';

const COUNT_FIELDS = [
  ['entities', 'entity_count'],
  ['edges', 'edge_count'],
  ['tags', 'tag_count'],
  ['affordances', 'affordance_count'],
  ['chunks', 'chunk_count'],
] as const;
const KNOWN_COUNTS = new Set<string>(COUNT_FIELDS.map(([countKey]) => countKey));

function isCountsObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class ImportChecker {
  private readonly imports: Peekable<ImportRecord>;
  private current: ImportRecord | null = null;
  private sawFirst = false;
  private sawLast = false;
  private previousLast = -1n;
  private inOrphanRun = false;
  private readonly seen = new Set<string>();

  /** `runs`: the imports the campaign's run records name, each of which must be among `imports`. */
  constructor(
    imports: AsyncIterable<ImportRecord>,
    private readonly report: ReportProblem,
    private readonly runs: readonly RecordedRun[] = [],
  ) {
    this.imports = new Peekable(imports);
  }

  async onEvent(event: EventFacts): Promise<void> {
    const n = event.ordinal;
    for (;;) {
      if (this.current && n > this.current.lastOrdinal) {
        this.closeImport(this.current);
        continue;
      }
      const next = this.current ? undefined : await this.imports.peek();
      if (next && next.firstOrdinal <= n) {
        await this.imports.next();
        this.open(next);
        continue;
      }
      break;
    }
    const current = this.current;
    if (!current || n < current.firstOrdinal) {
      if (!this.inOrphanRun) {
        this.report(
          n,
          'import_mismatch',
          `event ${n} (${event.eventType}) lies in no import's ordinal range`,
        );
      }
      this.inOrphanRun = true;
      return;
    }
    this.inOrphanRun = false;
    if (event.importId !== current.id) {
      this.report(
        n,
        'import_mismatch',
        `event ${n} carries import_id ${event.importId ?? 'null'}, but it lies in import ${current.id}'s range ${current.firstOrdinal}..${current.lastOrdinal}`,
      );
    }
    if (n === current.firstOrdinal) {
      this.sawFirst = true;
      this.checkPackageEvent(event, current, MANIFEST_EVENT, 'opens');
    }
    if (n === current.lastOrdinal) {
      this.sawLast = true;
      this.checkPackageEvent(event, current, COMPLETION_EVENT, 'closes');
      this.checkCompletion(event, current);
    }
  }

  /** Ends the streams early (after an error). */
  async close(): Promise<void> {
    await this.imports.close();
  }

  async finish(): Promise<void> {
    if (this.current) this.closeImport(this.current);
    for (let next = await this.imports.next(); next; next = await this.imports.next()) {
      this.seen.add(next.id);
      this.report(
        next.firstOrdinal,
        'import_mismatch',
        `import ${next.id} (package ${next.packageId}) covers ordinals ${next.firstOrdinal}..${next.lastOrdinal}, beyond the end of the chain`,
      );
    }
    // An import removed whole (its events, rows and imports row: the chain cut cleanly after the import before it)
    // is still named by its run records, which are kept apart from the ledger.
    for (const run of this.runs) {
      if (this.seen.has(run.importId)) continue;
      this.report(
        this.previousLast + 1n,
        'import_mismatch',
        `run ${run.runId} (${run.outcome}, ${run.finishedAt}) names import ${run.importId}, which the campaign does not hold: it was removed`,
      );
    }
  }

  private open(record: ImportRecord): void {
    this.seen.add(record.id);
    this.current = record;
    this.sawFirst = false;
    this.sawLast = false;
    const span = `import ${record.id} (package ${record.packageId})`;
    if (record.firstOrdinal !== this.previousLast + 1n) {
      this.report(
        record.firstOrdinal,
        'import_mismatch',
        `${span} starts at ordinal ${record.firstOrdinal}, but the previous import ends at ${this.previousLast}`,
      );
    }
    const length = record.lastOrdinal - record.firstOrdinal + 1n;
    if (length < 2n || BigInt(record.eventsAppended) !== length) {
      this.report(
        record.firstOrdinal,
        'import_mismatch',
        `${span} covers ordinals ${record.firstOrdinal}..${record.lastOrdinal} but records ${record.eventsAppended} events appended`,
      );
    }
  }

  private closeImport(record: ImportRecord): void {
    const span = `import ${record.id} (package ${record.packageId})`;
    if (!this.sawFirst) {
      this.report(
        record.firstOrdinal,
        'import_mismatch',
        `${span} starts at ordinal ${record.firstOrdinal}, which is not in the chain`,
      );
    }
    if (!this.sawLast) {
      this.report(
        record.lastOrdinal,
        'import_mismatch',
        `${span} ends at ordinal ${record.lastOrdinal} with tip ${record.tipHash}, but the chain has no event there`,
      );
    }
    if (record.lastOrdinal > this.previousLast) this.previousLast = record.lastOrdinal;
    this.current = null;
  }

  private checkPackageEvent(event: EventFacts, record: ImportRecord, type: string, role: string): void {
    const span = `import ${record.id} (package ${record.packageId})`;
    if (event.eventType !== type) {
      this.report(
        event.ordinal,
        'import_mismatch',
        `${span} ${role} at ordinal ${event.ordinal} with a ${event.eventType} event, not ${type}`,
      );
      return;
    }
    const payload = event.payload;
    const packageId = payload ? text(payload.package_id) : null;
    const manifestHash = payload ? text(payload.manifest_hash) : null;
    if (packageId !== record.packageId || manifestHash !== record.manifestHash) {
      this.report(
        event.ordinal,
        'import_mismatch',
        `${span}, manifest ${record.manifestHash}: the ${type} event at ordinal ${event.ordinal} names package ${packageId}, manifest ${manifestHash}`,
      );
    }
  }

  private checkCompletion(event: EventFacts, record: ImportRecord): void {
    const span = `import ${record.id} (package ${record.packageId})`;
    if (event.envelopeHash !== record.tipHash) {
      this.report(
        event.ordinal,
        'import_mismatch',
        `${span} records tip ${record.tipHash}, the event at its last ordinal ${event.ordinal} has envelope hash ${event.envelopeHash}`,
      );
    }
    const payload = event.payload;
    if (event.eventType !== COMPLETION_EVENT || !payload) return;
    const digest = text(payload.state_digest);
    if (digest !== record.stateDigest) {
      this.report(
        event.ordinal,
        'state_digest',
        `${span} records state digest ${record.stateDigest}, its completion event at ordinal ${event.ordinal} carries ${digest}`,
      );
    }
    const counts = isCountsObject(record.counts) ? record.counts : {};
    if (counts !== record.counts) {
      this.report(
        event.ordinal,
        'import_mismatch',
        `${span} records counts ${JSON.stringify(record.counts)}, not an object of counts`,
      );
    }
    for (const [countKey, payloadKey] of COUNT_FIELDS) {
      const inPayload = payload[payloadKey];
      const payloadCount = inPayload instanceof JsonNumber ? inPayload.text : null;
      const recorded = counts[countKey];
      if (payloadCount === null || typeof recorded !== 'number' || String(recorded) !== payloadCount) {
        this.report(
          event.ordinal,
          'import_mismatch',
          `${span} records ${recorded === undefined ? `no ${countKey} count` : `${countKey} ${JSON.stringify(recorded)}`}, its completion event at ordinal ${event.ordinal} says ${payloadCount}`,
        );
      }
    }
    for (const countKey of Object.keys(counts).filter((key) => !KNOWN_COUNTS.has(key))) {
      this.report(
        event.ordinal,
        'import_mismatch',
        `${span} records a count its completion event does not have: ${countKey} ${JSON.stringify(counts[countKey])}`,
      );
    }
  }
}
