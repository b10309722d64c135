/**
 * Checkpoints: tip documents an auditor keeps outside the database. A document names the campaign, the
 * ordinal and envelope hash of its tip, and a short trail of earlier envelope hashes (every one of the last
 * `dense` events, then exponentially sparser back to ordinal 0), so that a later verification can tell not
 * only that the chain changed but where the change begins. Signed with Ed25519 over the canonical JSON of
 * the document without its `signature` (which includes `key_id`).
 */
import { type KeyObject, sign, verify } from 'node:crypto';
import { canonicalJsonBytes } from '../canonical/index.js';
import { UsageError } from '../errors.js';
import { keyIdOf } from './keys.js';

export const CHECKPOINT_FORMAT = 'chronicle.checkpoint/1';
/** Every one of the last 64 events is in the trail by default. */
export const DEFAULT_DENSE_TRAIL = 64;

export interface CheckpointDocument {
  format: string;
  campaign: string;
  /** The campaign's database id, which every envelope hash covers. */
  campaign_id: string;
  ordinal: number;
  tip_hash: string;
  events: number;
  state_digest: string;
  created_at: string;
  /** `[ordinal, envelope hash]` pairs, ascending; the last one is `[ordinal, tip_hash]`. */
  trail: [number, string][];
  key_id?: string;
  signature?: string;
}

/** The ordinals whose envelope hashes a checkpoint at `tip` keeps, ascending. */
export function trailOrdinals(tip: bigint, dense = DEFAULT_DENSE_TRAIL): bigint[] {
  const ordinals = new Set<bigint>([0n, tip]);
  const denseFloor = tip - BigInt(Math.max(dense, 1)) + 1n;
  for (let o = tip; o >= denseFloor && o >= 0n; o--) ordinals.add(o);
  for (let step = 1n; denseFloor - step >= 0n; step *= 2n) ordinals.add(denseFloor - step);
  return [...ordinals].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The bytes a signature covers: the canonical JSON of the document without `signature`. */
export function signedBytes(document: CheckpointDocument): Buffer {
  const { signature: _signature, ...unsigned } = document;
  return canonicalJsonBytes(unsigned);
}

export function signCheckpoint(document: CheckpointDocument, privateKey: KeyObject): CheckpointDocument {
  const { signature: _signature, ...unsigned } = document;
  const withKey: CheckpointDocument = { ...unsigned, key_id: keyIdOf(privateKey) };
  return { ...withKey, signature: sign(null, signedBytes(withKey), privateKey).toString('base64') };
}

export type SignatureVerdict = { ok: true; keyId: string } | { ok: false; reason: string };

/** Checks the document's signature with the auditor's public key; refuses another key and any alteration. */
export function checkSignature(document: CheckpointDocument, publicKey: KeyObject): SignatureVerdict {
  const expectedKeyId = keyIdOf(publicKey);
  if (document.signature === undefined) {
    return { ok: false, reason: `the checkpoint is not signed (the public key given is ${expectedKeyId})` };
  }
  if (document.key_id !== expectedKeyId) {
    return {
      ok: false,
      reason: `the checkpoint names signing key ${document.key_id ?? '(none)'}, the public key given is ${expectedKeyId}: refused`,
    };
  }
  const signature = Buffer.from(document.signature, 'base64');
  let valid = false;
  try {
    valid = verify(null, signedBytes(document), publicKey, signature);
  } catch {
    valid = false;
  }
  if (!valid) {
    return {
      ok: false,
      reason: `the signature does not match the document: it was altered after signing, or signed by another key than ${expectedKeyId}`,
    };
  }
  return { ok: true, keyId: expectedKeyId };
}

/** The file form: the document as indented JSON (verification re-canonicalises it). */
export function checkpointFileText(document: CheckpointDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

const HASH = /^[0-9a-f]{64}$/;

const DOCUMENT_KEYS = new Set([
  'format',
  'campaign',
  'campaign_id',
  'ordinal',
  'tip_hash',
  'events',
  'state_digest',
  'created_at',
  'trail',
  'key_id',
  'signature',
]);

/** A time as checkpoints write it (microsToIso): UTC, seconds, and up to six digits of fraction. */
function isUtcTime(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(text) && !Number.isNaN(Date.parse(text));
}

/** Parses and shape-checks a checkpoint document; `label` names its file in errors. */
export function parseCheckpoint(text: string, label: string): CheckpointDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalid(label, `not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid(label, 'not a JSON object');
  const doc = value as Record<string, unknown>;
  if (doc.format !== CHECKPOINT_FORMAT)
    throw invalid(label, `format is ${JSON.stringify(doc.format)}, expected ${CHECKPOINT_FORMAT}`);
  const strings = ['campaign', 'campaign_id', 'tip_hash', 'state_digest', 'created_at'] as const;
  for (const key of strings)
    if (typeof doc[key] !== 'string') throw invalid(label, `${key} must be a string`);
  for (const key of ['ordinal', 'events'] as const) {
    if (!Number.isSafeInteger(doc[key]) || (doc[key] as number) < 0)
      throw invalid(label, `${key} must be a non-negative integer`);
  }
  const unknown = Object.keys(doc).filter((key) => !DOCUMENT_KEYS.has(key));
  if (unknown.length > 0) throw invalid(label, `it has fields no checkpoint has: ${unknown.join(', ')}`);
  for (const key of ['tip_hash', 'state_digest'] as const) {
    if (!HASH.test(doc[key] as string)) throw invalid(label, `${key} must be 64 lowercase hex digits`);
  }
  if (!/^[0-9]+$/.test(doc.campaign_id as string)) throw invalid(label, 'campaign_id must be a whole number');
  if (!isUtcTime(doc.created_at as string)) {
    throw invalid(
      label,
      `created_at must be a UTC time such as 2026-02-02T10:00:00.000Z, not ${doc.created_at}`,
    );
  }
  if (!Array.isArray(doc.trail) || !doc.trail.every(isTrailEntry)) {
    throw invalid(label, 'trail must be a list of [ordinal, envelope hash] pairs');
  }
  const trail = doc.trail as [number, string][];
  trail.forEach(([ordinal], index) => {
    if (ordinal > (doc.ordinal as number))
      throw invalid(label, `its trail names ordinal ${ordinal}, past its own ordinal ${doc.ordinal}`);
    if (index > 0 && ordinal <= (trail[index - 1] as [number, string])[0])
      throw invalid(label, 'its trail must list each ordinal once, in ascending order');
  });
  for (const key of ['key_id', 'signature'] as const) {
    if (doc[key] !== undefined && typeof doc[key] !== 'string')
      throw invalid(label, `${key} must be a string`);
  }
  return doc as unknown as CheckpointDocument;
}

function isTrailEntry(entry: unknown): boolean {
  return (
    Array.isArray(entry) &&
    entry.length === 2 &&
    Number.isSafeInteger(entry[0]) &&
    (entry[0] as number) >= 0 &&
    typeof entry[1] === 'string' &&
    HASH.test(entry[1])
  );
}

function invalid(label: string, why: string): UsageError {
  return new UsageError(
    `${label} is not a checkpoint document: ${why}`,
    { file: label },
    'checkpoint.invalid',
  );
}
