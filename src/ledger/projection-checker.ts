/**
 * Checks the projection tables against the events, walking both in ordinal order: every object event has
 * exactly one projection row, in the right table, with the event's key, content hash, provenance and
 * payload; every projection row names an event that exists and created it.
 */
import { type JsonValue, parseJson } from '../canonical/index.js';
import type { ProjectionRecord, ReportProblem } from './audit-records.js';
import { type EventFacts, type ObjectFacts, projectionTableOf } from './event-facts.js';
import { jsonEquals } from './json-equals.js';
import { printsAsJsonb } from './jsonb-text.js';
import { Peekable } from './peekable.js';

/** The columns compared with the event, by name and field (a constant: nothing is built per event). */
const COMPARED_FIELDS = [
  ['object_type', 'objectType'],
  ['content_hash', 'contentHash'],
  ['file_hash', 'fileHash'],
  ['source_path', 'sourcePath'],
  ['package_id', 'packageId'],
] as const satisfies readonly (readonly [string, keyof ProjectionRecord & keyof ObjectFacts])[];

export class ProjectionChecker {
  private readonly rows: Peekable<ProjectionRecord>;
  private lastEvent = -1n;

  constructor(
    rows: AsyncIterable<ProjectionRecord>,
    private readonly report: ReportProblem,
  ) {
    this.rows = new Peekable(rows);
  }

  async onEvent(event: EventFacts): Promise<void> {
    const n = event.ordinal;
    this.lastEvent = n;
    for (let row = await this.rows.peek(); row && row.eventOrdinal < n; row = await this.rows.peek()) {
      await this.rows.next();
      this.orphan(row, 'not in the chain');
    }
    const here: ProjectionRecord[] = [];
    for (let row = await this.rows.peek(); row && row.eventOrdinal === n; row = await this.rows.peek()) {
      here.push((await this.rows.next()) as ProjectionRecord);
    }
    const table = projectionTableOf(event.eventType);
    const object = event.object;
    if (table === null) {
      for (const row of here) {
        this.report(
          n,
          'projection_mismatch',
          `${describe(row)} names event ${n} as its creator, a ${event.eventType} event that creates no projection row`,
        );
      }
      return;
    }
    if (!object) {
      // The payload cannot be read (its hash problem is reported by the chain check): nothing to compare.
      return;
    }
    const match = here.find(
      (r) => r.table === object.table && r.stableId === object.stableId && r.category === object.category,
    );
    for (const row of here) {
      if (row !== match) {
        this.report(
          n,
          'projection_mismatch',
          `${describe(row)} names event ${n} as its creator, but that event created ${object.table} '${object.stableId}'${object.category ? ` (${object.category})` : ''}`,
        );
      }
    }
    if (!match) {
      if (here.length === 0) {
        this.report(
          n,
          'projection_mismatch',
          `event ${n} created ${object.table} '${object.stableId}', which has no projection row naming it`,
        );
      }
      return;
    }
    const differences = COMPARED_FIELDS.filter(([, key]) => match[key] !== object[key]);
    if (differences.length > 0) {
      this.report(
        n,
        'projection_mismatch',
        `${describe(match)} differs from event ${n}: ${differences.map(([name, key]) => `${name} ${difference(match[key], object[key])}`).join(', ')}`,
      );
    }
    if (!samePayload(match.payload, event)) {
      this.report(
        n,
        'projection_mismatch',
        `${describe(match)}: its payload is not the payload of event ${n}`,
      );
    }
  }

  /** Ends the streams early (after an error). */
  async close(): Promise<void> {
    await this.rows.close();
  }

  async finish(): Promise<void> {
    for (let row = await this.rows.next(); row; row = await this.rows.next()) {
      this.orphan(
        row,
        row.eventOrdinal > this.lastEvent ? 'beyond the end of the chain' : 'not in the chain',
      );
    }
  }

  private orphan(row: ProjectionRecord, why: string): void {
    this.report(
      row.eventOrdinal,
      'projection_mismatch',
      `${describe(row)} names event ${row.eventOrdinal} as its creator, ${why}`,
    );
  }
}

/** A column's value beside the event's; two that print alike (é composed or not) are said to differ in form only. */
function difference(stored: string, expected: string): string {
  const formOnly = stored.normalize('NFC') === expected.normalize('NFC');
  return `${stored} (event: ${expected}${formOnly ? '; the same text in another Unicode normalisation form, the event has NFC' : ''})`;
}

function describe(row: ProjectionRecord): string {
  return `${row.table} '${row.stableId}'${row.category ? ` (${row.category})` : ''} from ${row.sourcePath}`;
}

function samePayload(projectionPayload: string, event: EventFacts): boolean {
  if (!event.payload) return false;
  // Fast path: the projection's text is usually exactly what PostgreSQL prints for the event's payload.
  if (printsAsJsonb(projectionPayload, event.payload)) return true;
  let parsed: JsonValue;
  try {
    parsed = parseJson(projectionPayload);
  } catch {
    return false;
  }
  return jsonEquals(parsed, event.payload);
}
