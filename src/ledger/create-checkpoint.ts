/**
 * `chronicle checkpoint`: reads a campaign's tip, trail and state digest from one consistent snapshot,
 * builds the tip document (signed when a key is given) and records it in the append-only `checkpoints`
 * table in the same transaction (unless asked not to: an auditor's read-only role can take checkpoints too).
 */
import type { KeyObject } from 'node:crypto';
import { canonicalJsonBytes } from '../canonical/index.js';
import { type Clock, microsToIso, systemClock } from '../clock.js';
import type { Session } from '../db/database.js';
import { DatabaseError, UsageError } from '../errors.js';
import { campaignDigest } from './campaign-read.js';
import {
  CHECKPOINT_FORMAT,
  type CheckpointDocument,
  DEFAULT_DENSE_TRAIL,
  signCheckpoint,
  trailOrdinals,
} from './checkpoint.js';
import { inSnapshot } from './db-source.js';
import { privateKeyFromPem } from './keys.js';
import { insertCheckpoint, readEnvelopeHashes, readTip, requireCampaignId } from './ledger-sql.js';

export interface CheckpointOptions {
  clock?: Clock;
  /** Ed25519 private key: the document is signed with it (a KeyObject, or PEM text as generateSigningKeyPair gives). */
  signKey?: KeyObject | string;
  /** How many of the last events the trail holds every hash of (default 64). */
  denseTrail?: number;
  /** Record the checkpoint in the database (default true); false needs only SELECT (an auditor's role). */
  record?: boolean;
}

export interface CheckpointResult {
  document: CheckpointDocument;
  /** False when not recorded: asked not to, or this exact checkpoint (campaign, ordinal, time) already was. */
  recorded: boolean;
}

/**
 * A stored envelope hash that is not 32 bytes (NULL, or another length, once its constraint was dropped) would
 * make a document every verification refuses, signed and, in the append-only table, recorded for good.
 */
function refuseDamagedHashes(campaign: string, hashes: readonly [bigint, string | null][]): void {
  const damaged = hashes.find(([, hash]) => hash === null || !/^[0-9a-f]{64}$/.test(hash));
  if (!damaged) return;
  const [ordinal, hash] = damaged;
  throw new DatabaseError(
    'db.damaged_chain',
    `campaign '${campaign}': the envelope hash stored at ordinal ${ordinal} is ${hash ? `${hash.length / 2} bytes (${hash})` : 'missing'}, ` +
      `not 32 bytes: no checkpoint was made (chronicle verify -c ${campaign} reports the damage)`,
    { campaign, ordinal: Number(ordinal), envelope_hash: hash || null },
  );
}

export async function createCheckpoint(
  session: Session,
  campaign: string,
  options: CheckpointOptions = {},
): Promise<CheckpointResult> {
  const clock = options.clock ?? systemClock;
  const record = options.record ?? true;
  const signKey =
    typeof options.signKey === 'string' ? privateKeyFromPem(options.signKey, 'signKey') : options.signKey;
  return inSnapshot(session, record ? 'read write' : 'read only', async (tx) => {
    const id = await requireCampaignId(tx, campaign);
    const tip = await readTip(tx, id);
    if (tip === null) {
      throw new UsageError(
        `campaign '${campaign}' has no events to checkpoint`,
        { campaign },
        'checkpoint.empty',
      );
    }
    const trail = await readEnvelopeHashes(
      tx,
      id,
      trailOrdinals(tip.ordinal, options.denseTrail ?? DEFAULT_DENSE_TRAIL),
    );
    refuseDamagedHashes(campaign, [...trail, [tip.ordinal, tip.envelopeHash.toString('hex')]]);
    const unsigned: CheckpointDocument = {
      format: CHECKPOINT_FORMAT,
      campaign,
      campaign_id: id,
      ordinal: Number(tip.ordinal),
      tip_hash: tip.envelopeHash.toString('hex'),
      events: Number(tip.ordinal) + 1,
      state_digest: (await campaignDigest(tx, campaign)).stateDigest,
      created_at: microsToIso(clock.nowMicros()),
      trail: trail.map(([ordinal, hash]) => [Number(ordinal), hash as string]), // 64 hex digits each (above)
    };
    const document = signKey ? signCheckpoint(unsigned, signKey) : unsigned;
    if (!record) return { document, recorded: false };
    const recorded = await insertCheckpoint(tx, {
      campaignId: id,
      ordinal: tip.ordinal,
      tipHash: document.tip_hash,
      events: BigInt(document.events),
      stateDigest: document.state_digest,
      createdAt: document.created_at,
      keyId: document.key_id ?? null,
      signature: document.signature ?? null,
      document: canonicalJsonBytes(document),
    });
    return { document, recorded };
  });
}
