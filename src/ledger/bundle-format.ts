/**
 * The offline audit bundle: NDJSON, one record per line, `kind` always the first key. Sections in order:
 * `header`, `event` (ordinal order), `import` (id order), `import_log` (sequence order), `projection`
 * (creating-event order), `checkpoint` (ordinal order), `end` (the record counts: a bundle without it was
 * cut short). Integers that can exceed 2^53 are decimal strings; hashes are lowercase hex; stored bytes
 * (event payloads, checkpoint documents) are their exact UTF-8 text, or base64 (`*_base64`) when the bytes
 * are not valid UTF-8.
 */
import { ChronicleError } from '../errors.js';
import type {
  ImportRecord,
  LogRecord,
  ProjectionRecord,
  ProjectionTable,
  RecordedCheckpoint,
} from './audit-records.js';
import { PROJECTION_TABLES } from './audit-records.js';
import type { StoredEvent } from './chain-verifier.js';
import { formatWallTime, parseWallTime } from './envelope.js';

export const BUNDLE_FORMAT = 'chronicle.bundle/1';
export const RECORD_KINDS = [
  'header',
  'event',
  'import',
  'import_log',
  'projection',
  'checkpoint',
  'end',
] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];
export type SectionCounts = Record<Exclude<RecordKind, 'header' | 'end'>, number>;

/** The line prefix of each record kind (`{"kind":"import",` is not a prefix of an import_log line). */
export const KIND_PREFIX: Record<RecordKind, string> = Object.fromEntries(
  RECORD_KINDS.map((kind) => [kind, `{"kind":"${kind}",`]),
) as Record<RecordKind, string>;

/** The bundle is malformed, cut short, or not a bundle at all. Verification fails (exit 4). */
export class BundleFormatError extends ChronicleError {
  constructor(message: string, facts: Record<string, unknown> = {}) {
    super('bundle.invalid', message, facts);
  }
}

/**
 * There is no bundle to verify at the path given (no such file, a folder, no permission): nothing was verified,
 * so this is not a verification failure but a wrong path (the CLI's exit 2).
 */
export class BundleUnreadableError extends ChronicleError {
  constructor(message: string, facts: Record<string, unknown> = {}) {
    super('bundle.unreadable', message, facts);
  }
}

export interface BundleHeader {
  format: string;
  campaign: string;
  campaign_id: string | null;
  exported_at: string;
}

export function encodeHeader(header: BundleHeader): string {
  return line({ kind: 'header', ...header });
}

export function encodeEvent(event: StoredEvent): string {
  return line({
    kind: 'event',
    ordinal: event.replayOrdinal.toString(),
    event_type: event.eventType,
    schema_version: event.schemaVersion,
    world_time: event.worldTime.toString(),
    wall_time_utc: formatWallTime(event.wallTimeMicros),
    prev_event_hash: event.prevEventHash.toString('hex'),
    payload_hash: event.payloadHash.toString('hex'),
    idempotency_key: event.idempotencyKey.toString('hex'),
    envelope_hash: event.envelopeHash.toString('hex'),
    import_id: event.importId ?? null,
    actor_id: event.actorId ?? null,
    ...bytesField('payload', event.payloadCanonical),
    ...(event.payloadJsonMatches === false ? { payload_jsonb: event.payloadJsonb ?? null } : {}),
  });
}

export function encodeImport(record: ImportRecord): string {
  return line({
    kind: 'import',
    id: record.id,
    package_id: record.packageId,
    manifest_hash: record.manifestHash,
    state_digest: record.stateDigest,
    files_digest: record.filesDigest,
    first_ordinal: record.firstOrdinal.toString(),
    last_ordinal: record.lastOrdinal.toString(),
    tip_hash: record.tipHash,
    counts: record.counts,
    events_appended: record.eventsAppended,
    objects_skipped: record.objectsSkipped,
    first_sequence_no: record.firstSequenceNo.toString(),
    last_sequence_no: record.lastSequenceNo.toString(),
    duration_ms: record.durationMs,
    committed_at: record.committedAt,
  });
}

export function encodeLogRow(row: LogRecord): string {
  return line({
    kind: 'import_log',
    sequence_no: row.sequenceNo.toString(),
    import_id: row.importId,
    phase: row.phase,
    object_type: row.objectType,
    stable_id: row.stableId,
    file_hash: row.fileHash,
    action: row.action,
    manifest_hash: row.manifestHash,
    event_ordinal: row.eventOrdinal === null ? null : row.eventOrdinal.toString(),
    logged_at: row.loggedAt,
  });
}

export function encodeProjection(row: ProjectionRecord): string {
  return line({
    kind: 'projection',
    table: row.table,
    stable_id: row.stableId,
    category: row.category,
    object_type: row.objectType,
    package_id: row.packageId,
    source_path: row.sourcePath,
    content_hash: row.contentHash,
    file_hash: row.fileHash,
    event_ordinal: row.eventOrdinal.toString(),
    payload: row.payload,
  });
}

export function encodeCheckpoint(cp: RecordedCheckpoint): string {
  return line({
    kind: 'checkpoint',
    ordinal: cp.ordinal.toString(),
    tip_hash: cp.tipHash,
    events: cp.events.toString(),
    state_digest: cp.stateDigest,
    created_at: cp.createdAt,
    key_id: cp.keyId,
    signature: cp.signature,
    ...bytesField('document', cp.document),
  });
}

export function encodeEnd(counts: SectionCounts): string {
  return line({ kind: 'end', counts });
}

function line(record: Record<string, unknown>): string {
  return `${JSON.stringify(record)}\n`;
}

/** Exact bytes as their UTF-8 text when that round-trips, else as base64 under `<name>_base64`. */
function bytesField(name: string, bytes: Buffer): Record<string, string> {
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes)
    ? { [name]: text }
    : { [`${name}_base64`]: bytes.toString('base64') };
}

/** Reads one record of a bundle; `where` names the line in errors. */
/** Where a record is: its file (as the user named it) and line; every problem with it names both. */
export interface RecordPlace {
  file: string;
  line: number;
}

/**
 * A record decoded from its line, refused unless encoding it again gives the line back byte for byte: a record
 * written otherwise than an export writes it (spacing, escapes, key order, a key repeated or unknown, a CR before
 * the line feed) is not this bundle's, even where it would read the same.
 */
export function decodeExactly<T>(
  text: string,
  place: RecordPlace,
  decode: (r: RecordReader) => T,
  encode: (record: T) => string,
): T {
  const record = decode(RecordReader.parse(text, place));
  if (encode(record) !== `${text}\n`) {
    throw new BundleFormatError(
      `${place.file} line ${place.line} is not written as an export writes it (its spacing, escapes, key order, ` +
        'or a key repeated or unknown)',
      { ...place },
    );
  }
  return record;
}

export class RecordReader {
  private readonly where: string;

  constructor(
    private readonly record: Record<string, unknown>,
    private readonly place: RecordPlace,
  ) {
    this.where = `${place.file} line ${place.line}`;
  }

  static parse(text: string, place: RecordPlace): RecordReader {
    const invalid = (why: string) =>
      new BundleFormatError(`${place.file} line ${place.line} ${why}`, { ...place });
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw invalid(`is not JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw invalid('is not a JSON object');
    return new RecordReader(value as Record<string, unknown>, place);
  }

  /** A problem with this record, naming its file and line. */
  invalid(why: string): BundleFormatError {
    return new BundleFormatError(`${this.where}: ${why}`, { ...this.place });
  }

  string(key: string): string {
    const value = this.record[key];
    if (typeof value !== 'string') throw this.bad(key, 'a string');
    return value;
  }

  optionalString(key: string): string | null {
    const value = this.record[key];
    if (value === null || value === undefined) return null;
    if (typeof value !== 'string') throw this.bad(key, 'a string or null');
    return value;
  }

  integer(key: string): number {
    const value = this.record[key];
    if (!Number.isSafeInteger(value)) throw this.bad(key, 'an integer');
    return value as number;
  }

  bigint(key: string): bigint {
    const value = this.string(key);
    // One way to write each number (no leading zeros, no -0): a bundle's text is its export's, exactly.
    if (!/^(?:0|-?[1-9][0-9]*)$/.test(value)) throw this.bad(key, 'a decimal integer string');
    return BigInt(value);
  }

  optionalBigint(key: string): bigint | null {
    return this.record[key] === null ? null : this.bigint(key);
  }

  hex(key: string): Buffer {
    const value = this.string(key);
    if (!/^(?:[0-9a-f]{2})*$/.test(value)) throw this.bad(key, 'lowercase hex');
    return Buffer.from(value, 'hex');
  }

  bytes(key: string): Buffer {
    const base64 = `${key}_base64`;
    if (this.has(key) && this.has(base64)) throw this.invalid(`it holds both ${key} and ${base64}`);
    if (typeof this.record[key] === 'string') return Buffer.from(this.record[key] as string, 'utf8');
    if (typeof this.record[base64] === 'string') return Buffer.from(this.record[base64] as string, 'base64');
    throw this.bad(key, `a string (or ${base64})`);
  }

  /** Any JSON value the record holds under `key` (refused when absent). */
  value(key: string): unknown {
    if (!this.has(key)) throw this.bad(key, 'present');
    return this.record[key];
  }

  object(key: string): Record<string, unknown> {
    const value = this.record[key];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw this.bad(key, 'an object');
    return value as Record<string, unknown>;
  }

  has(key: string): boolean {
    return Object.hasOwn(this.record, key);
  }

  private bad(key: string, what: string): BundleFormatError {
    return this.invalid(`${key} must be ${what}`);
  }
}

export function decodeHeader(r: RecordReader): BundleHeader {
  const format = r.string('format');
  if (format !== BUNDLE_FORMAT)
    throw r.invalid(`the bundle's format is ${format}, expected ${BUNDLE_FORMAT}`);
  return {
    format,
    campaign: r.string('campaign'),
    campaign_id: r.optionalString('campaign_id'),
    exported_at: r.string('exported_at'),
  };
}

export function decodeEvent(r: RecordReader, campaignId: string): StoredEvent {
  const matches = !r.has('payload_jsonb');
  return {
    campaignId,
    replayOrdinal: r.bigint('ordinal'),
    eventType: r.string('event_type'),
    schemaVersion: r.integer('schema_version'),
    worldTime: r.bigint('world_time'),
    wallTimeMicros: wallTime(r),
    prevEventHash: r.hex('prev_event_hash'),
    payloadHash: r.hex('payload_hash'),
    idempotencyKey: r.hex('idempotency_key'),
    envelopeHash: r.hex('envelope_hash'),
    payloadCanonical: r.bytes('payload'),
    payloadJsonMatches: matches,
    payloadJsonb: matches ? null : r.optionalString('payload_jsonb'),
    importId: r.optionalString('import_id'),
    actorId: r.optionalString('actor_id'),
  };
}

function wallTime(r: RecordReader): bigint {
  const text = r.string('wall_time_utc');
  let micros: bigint;
  try {
    micros = parseWallTime(text);
  } catch {
    throw r.invalid(`wall_time_utc ${text} is not a UTC timestamp`);
  }
  // As the export writes it: another spelling of the same instant is not this bundle's text.
  if (formatWallTime(micros) !== text) {
    throw r.invalid(
      `wall_time_utc ${text} is not written as an export writes it (${formatWallTime(micros)})`,
    );
  }
  return micros;
}

export function decodeImport(r: RecordReader): ImportRecord {
  return {
    id: r.string('id'),
    packageId: r.string('package_id'),
    manifestHash: r.string('manifest_hash'),
    stateDigest: r.string('state_digest'),
    filesDigest: r.string('files_digest'),
    firstOrdinal: r.bigint('first_ordinal'),
    lastOrdinal: r.bigint('last_ordinal'),
    tipHash: r.string('tip_hash'),
    counts: r.value('counts'),
    eventsAppended: r.integer('events_appended'),
    objectsSkipped: r.integer('objects_skipped'),
    firstSequenceNo: r.bigint('first_sequence_no'),
    lastSequenceNo: r.bigint('last_sequence_no'),
    durationMs: r.integer('duration_ms'),
    committedAt: r.string('committed_at'),
  };
}

export function decodeLogRow(r: RecordReader): LogRecord {
  return {
    sequenceNo: r.bigint('sequence_no'),
    importId: r.string('import_id'),
    phase: r.string('phase'),
    objectType: r.string('object_type'),
    stableId: r.string('stable_id'),
    fileHash: r.string('file_hash'),
    action: r.string('action'),
    manifestHash: r.string('manifest_hash'),
    eventOrdinal: r.optionalBigint('event_ordinal'),
    loggedAt: r.string('logged_at'),
  };
}

export function decodeProjection(r: RecordReader): ProjectionRecord {
  const table = r.string('table');
  if (!(PROJECTION_TABLES as readonly string[]).includes(table))
    throw r.invalid(`projection table ${table} is unknown`);
  return {
    table: table as ProjectionTable,
    stableId: r.string('stable_id'),
    category: r.string('category'),
    objectType: r.string('object_type'),
    packageId: r.string('package_id'),
    sourcePath: r.string('source_path'),
    contentHash: r.string('content_hash'),
    fileHash: r.string('file_hash'),
    eventOrdinal: r.bigint('event_ordinal'),
    payload: r.string('payload'),
  };
}

export function decodeCheckpoint(r: RecordReader): RecordedCheckpoint {
  return {
    ordinal: r.bigint('ordinal'),
    tipHash: r.string('tip_hash'),
    events: r.bigint('events'),
    stateDigest: r.optionalString('state_digest'),
    createdAt: r.string('created_at'),
    keyId: r.optionalString('key_id'),
    signature: r.optionalString('signature'),
    document: r.bytes('document'),
  };
}

export function decodeEnd(r: RecordReader): SectionCounts {
  const counts = r.object('counts');
  const result = {} as SectionCounts;
  for (const kind of ['event', 'import', 'import_log', 'projection', 'checkpoint'] as const) {
    const value = counts[kind];
    if (!Number.isSafeInteger(value)) throw r.invalid(`the end record's counts.${kind} must be an integer`);
    result[kind] = value as number;
  }
  return result;
}
