/**
 * Event envelope hashing, byte-compatible with the reference ledger (NOTES.md §4.2–§4.4).
 *
 * Every hashed value is framed as `ASCII(label) ‖ uint32_be(len(value)) ‖ value`; the label itself is not
 * length-prefixed. The idempotency key (v2) is the first 16 bytes of SHA-256 over six frames; the envelope
 * hash is SHA-256 over ten frames and becomes the next event's `prev_event_hash`.
 */
import { sha256 } from '../canonical/index.js';

export const ZERO_HASH: Buffer = Buffer.alloc(32);
export const IMPORTER_TOOL_NAME = 'importer';
export const EVENT_SCHEMA_VERSION = 1;

export interface Envelope {
  campaignId: string;
  replayOrdinal: bigint;
  eventType: string;
  schemaVersion: number;
  /** The importer sets world time equal to the replay ordinal. */
  worldTime: bigint;
  /** Microseconds since the Unix epoch, UTC. */
  wallTimeMicros: bigint;
  prevEventHash: Buffer;
  payloadHash: Buffer;
  idempotencyKey: Buffer;
}

const LABELS = {
  planId: Buffer.from('plan_id', 'ascii'),
  campaignId: Buffer.from('campaign_id', 'ascii'),
  eventType: Buffer.from('event_type', 'ascii'),
  toolName: Buffer.from('tool_name', 'ascii'),
  rulesetVersion: Buffer.from('ruleset_version', 'ascii'),
  argsJson: Buffer.from('args_json', 'ascii'),
  sceneId: Buffer.from('scene_id', 'ascii'),
  replayOrdinal: Buffer.from('replay_ordinal', 'ascii'),
  schemaVersion: Buffer.from('schema_version', 'ascii'),
  worldTime: Buffer.from('world_time', 'ascii'),
  wallTimeUtc: Buffer.from('wall_time_utc', 'ascii'),
  prevEventHash: Buffer.from('prev_event_hash', 'ascii'),
  payloadHash: Buffer.from('payload_hash', 'ascii'),
  idempotencyKey: Buffer.from('idempotency_key', 'ascii'),
} as const;

const EMPTY = Buffer.alloc(0);
/** What the reference frames when the args are None. */
const NULL_ARGS = Buffer.from('<null>', 'ascii');

const FRAMER_BYTES = 4096;
const FRAMER_KEPT_BYTES = 1024 * 1024;

/**
 * Writes frames, `label ‖ uint32_be(len(value)) ‖ value` (a string value as UTF-8), into one reusable buffer
 * and hashes them in one go. For speed (verification frames two sets per event): no allocation per frame,
 * no concatenation. `start()` begins a new set; a set is written and hashed synchronously, so one shared
 * framer is safe.
 */
class Framer {
  private buffer = Buffer.allocUnsafe(FRAMER_BYTES);
  private size = 0;

  start(): this {
    this.size = 0;
    // A buffer grown for an unusually large payload is not kept.
    if (this.buffer.length > FRAMER_KEPT_BYTES) this.buffer = Buffer.allocUnsafe(FRAMER_BYTES);
    return this;
  }

  add(label: Buffer, value: Buffer | string): this {
    // A string is written first and its length filled in after (room for the longest UTF-8 it can take):
    // measuring it beforehand would read it twice.
    this.reserve(label.length + 4 + (typeof value === 'string' ? 3 * value.length : value.length));
    const at = this.size + label.copy(this.buffer, this.size);
    const written =
      typeof value === 'string' ? this.buffer.write(value, at + 4, 'utf8') : value.copy(this.buffer, at + 4);
    this.buffer.writeUInt32BE(written, at);
    this.size = at + 4 + written;
    return this;
  }

  /** Frames already written elsewhere (see KeptFrames), copied as they are. */
  addFramed(frames: Buffer): this {
    this.reserve(frames.length);
    this.size += frames.copy(this.buffer, this.size);
    return this;
  }

  sha256(): Buffer {
    return sha256(this.buffer.subarray(0, this.size));
  }

  /** A copy of the frames written since `start()`. */
  bytes(): Buffer {
    return Buffer.from(this.buffer.subarray(0, this.size));
  }

  private reserve(bytes: number): void {
    if (this.size + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(2 * this.buffer.length, this.size + bytes));
    this.buffer.copy(grown, 0, 0, this.size);
    this.buffer = grown;
  }
}

const framer = new Framer();

/**
 * Frames made of values that runs of events share (the campaign, the event type, the tool), built once and
 * kept until those values change: for speed, an event then frames only what is its own.
 */
class KeptFrames {
  private values: readonly string[] | null = null;
  private frames: Buffer = EMPTY;

  constructor(private readonly write: (framer: Framer, values: readonly string[]) => void) {}

  of(values: readonly string[]): Buffer {
    const kept = this.values;
    if (kept?.length === values.length && kept.every((value, i) => value === values[i])) return this.frames;
    const building = new Framer().start();
    this.write(building, values);
    this.values = values;
    this.frames = building.bytes();
    return this.frames;
  }
}

const keyPrefix = new KeptFrames((f, [planId, campaignId, eventType, toolName, rulesetVersion]) =>
  f
    .add(LABELS.planId, planId as string)
    .add(LABELS.campaignId, campaignId as string)
    .add(LABELS.eventType, eventType as string)
    .add(LABELS.toolName, toolName as string)
    .add(LABELS.rulesetVersion, rulesetVersion as string),
);
const envelopeCampaign = new KeptFrames((f, [campaignId]) =>
  f.add(LABELS.campaignId, campaignId as string).add(LABELS.sceneId, EMPTY),
);
const envelopeType = new KeptFrames((f, [eventType, schemaVersion]) =>
  f.add(LABELS.eventType, eventType as string).add(LABELS.schemaVersion, schemaVersion as string),
);

export function payloadHash(canonicalPayload: Buffer): Buffer {
  return sha256(canonicalPayload);
}

export interface IdempotencyKeyInput {
  campaignId: string;
  eventType: string;
  /** The payload's top-level `ruleset_version`, or '' when it has none. */
  rulesetVersion: string;
  /** Canonical payload bytes, or null for the reference's `None` args. */
  canonicalArgs: Buffer | null;
  planId?: string;
  toolName?: string;
}

/** The reference's `compute_idempotency_key_v2`: 16 bytes. */
export function idempotencyKeyV2(input: IdempotencyKeyInput): Buffer {
  const prefix = keyPrefix.of([
    input.planId ?? '',
    input.campaignId,
    input.eventType,
    input.toolName ?? IMPORTER_TOOL_NAME,
    input.rulesetVersion,
  ]);
  return framer
    .start()
    .addFramed(prefix)
    .add(LABELS.argsJson, input.canonicalArgs ?? NULL_ARGS)
    .sha256()
    .subarray(0, 16);
}

/** The reference's `compute_envelope_hash` for an event with no scene. */
export function envelopeHash(envelope: Envelope): Buffer {
  return framer
    .start()
    .addFramed(envelopeCampaign.of([envelope.campaignId]))
    .add(LABELS.replayOrdinal, envelope.replayOrdinal.toString())
    .addFramed(envelopeType.of([envelope.eventType, String(envelope.schemaVersion)]))
    .add(LABELS.worldTime, envelope.worldTime.toString())
    .add(LABELS.wallTimeUtc, formatWallTime(envelope.wallTimeMicros))
    .add(LABELS.prevEventHash, envelope.prevEventHash)
    .add(LABELS.payloadHash, envelope.payloadHash)
    .add(LABELS.idempotencyKey, envelope.idempotencyKey)
    .sha256();
}

/**
 * Python's `datetime.isoformat()` of an aware UTC datetime: `YYYY-MM-DDTHH:MM:SS+00:00`, with `.ffffff`
 * (always six digits) only when the microsecond is not zero.
 */
export function formatWallTime(micros: bigint): string {
  // The events of one import share one wall time: keep the last one formatted.
  if (micros === lastWallTime.micros) return lastWallTime.text;
  const text = formatWallTimeUncached(micros);
  lastWallTime = { micros, text };
  return text;
}

let lastWallTime: { micros: bigint | null; text: string } = { micros: null, text: '' };

/** Python's datetime holds the years 1 to 9999 (its isoformat always writes four digits). */
const FIRST_SECOND = BigInt(Date.parse('0001-01-01T00:00:00Z') / 1000);
const LAST_SECOND = BigInt(Date.parse('9999-12-31T23:59:59Z') / 1000);

function formatWallTimeUncached(micros: bigint): string {
  // Rounded down, as Python's datetime does before 1970 (BigInt division rounds towards zero).
  const subMicros = ((micros % 1_000_000n) + 1_000_000n) % 1_000_000n;
  const seconds = (micros - subMicros) / 1_000_000n;
  if (seconds < FIRST_SECOND || seconds > LAST_SECOND) {
    // No datetime of Python's, so no envelope the reference could have hashed: a text no timestamp can take,
    // which recomputes to an envelope hash that differs from any stored one (verify reports the ordinal).
    return `${micros} microseconds from 1970, outside the years 1 to 9999`;
  }
  const base = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  const fraction = subMicros === 0n ? '' : `.${subMicros.toString().padStart(6, '0')}`;
  return `${base}${fraction}+00:00`;
}

/** Parses an ISO-8601 UTC timestamp with up to microsecond precision into epoch microseconds. */
export function parseWallTime(iso: string): bigint {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(?:Z|\+00:00)$/.exec(iso);
  if (!match?.[1]) throw new Error(`not a UTC timestamp: ${iso}`);
  const seconds = BigInt(Date.parse(`${match[1]}Z`)) / 1000n;
  const fraction = BigInt((match[2] ?? '').padEnd(6, '0') || '0');
  return seconds * 1_000_000n + fraction;
}

/** Searched for as bytes (a string needle would be encoded on every search). */
const RULESET_VERSION_KEY = Buffer.from('"ruleset_version"', 'utf8');

/** Reads the top-level `ruleset_version` of a canonical payload ('' when absent), as the key derivation needs. */
export function topLevelRulesetVersion(canonicalPayload: Buffer): string {
  // Fast path: most payloads do not mention it at all.
  if (canonicalPayload.indexOf(RULESET_VERSION_KEY) < 0) return '';
  const parsed: unknown = JSON.parse(canonicalPayload.toString('utf8'));
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const value = (parsed as Record<string, unknown>).ruleset_version;
    if (typeof value === 'string') return value;
  }
  return '';
}
