/**
 * Event envelope hashing, byte-compatible with the reference ledger (NOTES.md §4.2–§4.4).
 *
 * Every hashed value is framed as `ASCII(label) ‖ uint32_be(len(value)) ‖ value`; the label itself is not
 * length-prefixed. The idempotency key (v2) is the first 16 bytes of SHA-256 over six frames; the envelope
 * hash is SHA-256 over ten frames and becomes the next event's `prev_event_hash`.
 */
import { createHash } from 'node:crypto';

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

/** Collects frames, `label ‖ uint32_be(len(value)) ‖ value`, and hashes them in one go. */
class Framer {
  private readonly parts: Buffer[] = [];
  private size = 0;

  add(label: Buffer, value: Buffer): this {
    const length = Buffer.allocUnsafe(4);
    length.writeUInt32BE(value.length, 0);
    this.parts.push(label, length, value);
    this.size += label.length + 4 + value.length;
    return this;
  }

  sha256(): Buffer {
    return createHash('sha256').update(Buffer.concat(this.parts, this.size)).digest();
  }
}

function utf8(value: string): Buffer {
  return Buffer.from(value, 'utf8');
}

export function payloadHash(canonicalPayload: Buffer): Buffer {
  return createHash('sha256').update(canonicalPayload).digest();
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
  return new Framer()
    .add(LABELS.planId, utf8(input.planId ?? ''))
    .add(LABELS.campaignId, utf8(input.campaignId))
    .add(LABELS.eventType, utf8(input.eventType))
    .add(LABELS.toolName, utf8(input.toolName ?? IMPORTER_TOOL_NAME))
    .add(LABELS.rulesetVersion, utf8(input.rulesetVersion))
    .add(LABELS.argsJson, input.canonicalArgs ?? NULL_ARGS)
    .sha256()
    .subarray(0, 16);
}

/** The reference's `compute_envelope_hash` for an event with no scene. */
export function envelopeHash(envelope: Envelope): Buffer {
  return new Framer()
    .add(LABELS.campaignId, utf8(envelope.campaignId))
    .add(LABELS.sceneId, EMPTY)
    .add(LABELS.replayOrdinal, utf8(envelope.replayOrdinal.toString()))
    .add(LABELS.eventType, utf8(envelope.eventType))
    .add(LABELS.schemaVersion, utf8(String(envelope.schemaVersion)))
    .add(LABELS.worldTime, utf8(envelope.worldTime.toString()))
    .add(LABELS.wallTimeUtc, utf8(formatWallTime(envelope.wallTimeMicros)))
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
  if (micros < 0n) throw new RangeError('wall time before 1970 is not supported');
  const seconds = micros / 1_000_000n;
  const subMicros = micros % 1_000_000n;
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

/** Reads the top-level `ruleset_version` of a canonical payload ('' when absent), as the key derivation needs. */
export function topLevelRulesetVersion(canonicalPayload: Buffer): string {
  // Fast path: most payloads do not mention it at all.
  if (canonicalPayload.indexOf('"ruleset_version"') < 0) return '';
  const parsed: unknown = JSON.parse(canonicalPayload.toString('utf8'));
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const value = (parsed as Record<string, unknown>).ruleset_version;
    if (typeof value === 'string') return value;
  }
  return '';
}
