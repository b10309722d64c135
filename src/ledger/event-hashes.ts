/**
 * The three hashes verification recomputes for every event (payload hash, idempotency key, envelope hash),
 * computed a batch at a time into one buffer, so that a batch can be hashed on another thread: the events
 * travel packed into one transferable buffer (`packEvents`) and the hashes come back as one
 * (`hashPackedEvents`). Each event's hashes depend on its own stored columns only.
 */
import type { StoredEvent } from './chain-verifier.js';
import { envelopeHash, idempotencyKeyV2, payloadHash, topLevelRulesetVersion } from './envelope.js';

/** Bytes per event in a batch of hashes: payload hash (32), idempotency key (16), envelope hash (32). */
const HASHES_BYTES = 80;
const FIELDS = {
  payloadHash: { at: 0, bytes: 32 },
  idempotencyKey: { at: 32, bytes: 16 },
  envelopeHash: { at: 48, bytes: 32 },
} as const;
export type HashField = keyof typeof FIELDS;

/** The hashes recomputed for a batch of events, in the batch's order. */
export class RecomputedHashes {
  constructor(private readonly bytes: Buffer) {}

  /** Whether event `index`'s recomputed `field` equals what is stored. */
  matches(index: number, field: HashField, stored: Buffer): boolean {
    const { at, bytes } = FIELDS[field];
    const start = index * HASHES_BYTES + at;
    return stored.length === bytes && sameBytes(stored, this.bytes, start);
  }

  hex(index: number, field: HashField): string {
    const { at, bytes } = FIELDS[field];
    const start = index * HASHES_BYTES + at;
    return this.bytes.toString('hex', start, start + bytes);
  }
}

/**
 * Whether `bytes` equals the `bytes.length` bytes of `within` from `start`. A loop in JS: for a hash (16 or 32
 * bytes), three times an event, it costs less than a call into `Buffer.compare` and its argument checks.
 */
export function sameBytes(bytes: Uint8Array, within: Uint8Array, start = 0): boolean {
  if (start + bytes.length > within.length) return false;
  for (let i = 0; i < bytes.length; i += 1) if (bytes[i] !== within[start + i]) return false;
  return true;
}

/** The idempotency key reads the payload's `ruleset_version`; bytes that are not JSON have none. */
function rulesetVersionOf(canonical: Buffer): string {
  try {
    return topLevelRulesetVersion(canonical);
  } catch {
    return '';
  }
}

function hashInto(event: StoredEvent, out: Buffer, index: number): void {
  const at = index * HASHES_BYTES;
  payloadHash(event.payloadCanonical).copy(out, at + FIELDS.payloadHash.at);
  idempotencyKeyV2({
    campaignId: event.campaignId,
    eventType: event.eventType,
    rulesetVersion: rulesetVersionOf(event.payloadCanonical),
    canonicalArgs: event.payloadCanonical,
  }).copy(out, at + FIELDS.idempotencyKey.at);
  envelopeHash(event).copy(out, at + FIELDS.envelopeHash.at);
}

/** Recomputes the hashes of `events` on this thread. */
export function hashEvents(events: readonly StoredEvent[]): RecomputedHashes {
  const out = Buffer.allocUnsafe(events.length * HASHES_BYTES);
  for (let index = 0; index < events.length; index += 1) hashInto(events[index] as StoredEvent, out, index);
  return new RecomputedHashes(out);
}

/*
 * A packed batch: uint32 event count, then per event the int64s replay ordinal, world time and wall time
 * (microseconds), int32 schema version, and six length-prefixed (uint32) fields: campaign id and event type
 * (UTF-8), prev event hash, payload hash, idempotency key (as stored: tampered values may have any length)
 * and the canonical payload.
 */
const FIXED_BYTES = 8 + 8 + 8 + 4;
const VARIABLE_FIELDS = 6;

/** The events' hashed columns in one buffer, to be transferred to a hashing thread. */
export function packEvents(events: readonly StoredEvent[]): ArrayBuffer {
  let size = 4;
  const texts: Buffer[] = [];
  for (const event of events) {
    const campaign = textBytes(event.campaignId);
    const type = textBytes(event.eventType);
    texts.push(campaign, type);
    size += FIXED_BYTES + 4 * VARIABLE_FIELDS + campaign.length + type.length;
    size += event.prevEventHash.length + event.payloadHash.length + event.idempotencyKey.length;
    size += event.payloadCanonical.length;
  }
  const packed = new ArrayBuffer(size);
  const out = Buffer.from(packed);
  let at = out.writeUInt32BE(events.length, 0);
  const put = (value: Buffer) => {
    at = out.writeUInt32BE(value.length, at);
    at += value.copy(out, at);
  };
  events.forEach((event, index) => {
    at = out.writeBigInt64BE(event.replayOrdinal, at);
    at = out.writeBigInt64BE(event.worldTime, at);
    at = out.writeBigInt64BE(event.wallTimeMicros, at);
    at = out.writeInt32BE(event.schemaVersion, at);
    put(texts[2 * index] as Buffer);
    put(texts[2 * index + 1] as Buffer);
    put(event.prevEventHash);
    put(event.payloadHash);
    put(event.idempotencyKey);
    put(event.payloadCanonical);
  });
  return packed;
}

/** Campaign ids and event types repeat: their bytes are kept rather than encoded for every event. */
let lastTexts = new Map<string, Buffer>();
function textBytes(text: string): Buffer {
  let bytes = lastTexts.get(text);
  if (!bytes) {
    if (lastTexts.size >= 64) lastTexts = new Map();
    bytes = Buffer.from(text, 'utf8');
    lastTexts.set(text, bytes);
  }
  return bytes;
}

/** Hashes a batch made by `packEvents`; the result is what `RecomputedHashes` reads. */
export function hashPackedEvents(packed: ArrayBuffer): ArrayBuffer {
  const input = Buffer.from(packed);
  const count = input.readUInt32BE(0);
  const result = new ArrayBuffer(count * HASHES_BYTES);
  const out = Buffer.from(result);
  let at = 4;
  const take = (): Buffer => {
    const length = input.readUInt32BE(at);
    at += 4 + length;
    return input.subarray(at - length, at);
  };
  for (let index = 0; index < count; index += 1) {
    const replayOrdinal = input.readBigInt64BE(at);
    const worldTime = input.readBigInt64BE(at + 8);
    const wallTimeMicros = input.readBigInt64BE(at + 16);
    const schemaVersion = input.readInt32BE(at + 24);
    at += FIXED_BYTES;
    const campaignId = take().toString('utf8');
    const eventType = take().toString('utf8');
    const prevEventHash = take();
    const storedPayloadHash = take();
    const idempotencyKey = take();
    const payloadCanonical = take();
    hashInto(
      {
        campaignId,
        replayOrdinal,
        eventType,
        schemaVersion,
        worldTime,
        wallTimeMicros,
        prevEventHash,
        payloadHash: storedPayloadHash,
        idempotencyKey,
        envelopeHash: EMPTY,
        payloadCanonical,
      },
      out,
      index,
    );
  }
  return result;
}

const EMPTY = Buffer.alloc(0);
