/**
 * Compares the chain with checkpoints while it is walked once in ordinal order:
 * - `AgainstChecker`: one tip document the auditor kept. Every ordinal of its trail must still have the
 *   envelope hash it recorded; the first one that does not is where the chain stopped being the one the
 *   checkpoint saw (exact when the trail holds the ordinal before it, a bracket otherwise). A chain that
 *   ends before the checkpoint's ordinal was truncated.
 * - `RecordedCheckpointChecker`: the checkpoints the source recorded (operator-controlled, so only a
 *   consistency check): each one's document must match its row, and its tip and trail the chain.
 */
import type { RecordedCheckpoint, ReportProblem } from './audit-records.js';
import { type CheckpointDocument, parseCheckpoint } from './checkpoint.js';
import type { EventFacts } from './event-facts.js';

export interface AgainstOutcome {
  ordinal: number;
  /** The first ordinal whose envelope hash differs from the checkpoint (or that is missing), if any. */
  firstDifference: number | null;
  /** The last trail ordinal before it that still matches. */
  lastAgreement: number | null;
  truncated: boolean;
}

export class AgainstChecker {
  private readonly trail: [bigint, string][];
  private index = 0;
  private lastAgreement: bigint | null = null;
  private firstDifference: bigint | null = null;
  private lastEvent = -1n;

  constructor(
    private readonly checkpoint: CheckpointDocument,
    campaignId: string | null,
    private readonly report: ReportProblem,
  ) {
    const entries = new Map<bigint, string>(checkpoint.trail.map(([o, h]) => [BigInt(o), h]));
    const tip = BigInt(checkpoint.ordinal);
    const recordedTip = entries.get(tip);
    if (recordedTip !== undefined && recordedTip !== checkpoint.tip_hash) {
      report(
        tip,
        'checkpoint_mismatch',
        `the checkpoint's trail holds ${recordedTip} for its own tip ordinal ${tip}, its tip_hash is ${checkpoint.tip_hash}`,
      );
    }
    entries.set(tip, checkpoint.tip_hash);
    // (parseCheckpoint refused a trail past the tip.)
    this.trail = [...entries.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (checkpoint.events !== checkpoint.ordinal + 1) {
      report(
        tip,
        'checkpoint_mismatch',
        `the checkpoint counts ${checkpoint.events} events up to ordinal ${tip}`,
      );
    }
    if (campaignId !== null && checkpoint.campaign_id !== campaignId) {
      report(
        0n,
        'checkpoint_mismatch',
        `the checkpoint is for campaign id ${checkpoint.campaign_id}, this campaign has id ${campaignId}`,
      );
    }
  }

  onEvent(event: EventFacts): void {
    this.lastEvent = event.ordinal;
    while (this.index < this.trail.length) {
      const [ordinal, hash] = this.trail[this.index] as [bigint, string];
      if (ordinal > event.ordinal) return;
      this.index += 1;
      if (ordinal < event.ordinal) {
        this.differ(
          ordinal,
          `the checkpoint holds envelope hash ${hash} at ordinal ${ordinal}, which is no longer in the chain`,
        );
      } else if (hash === event.envelopeHash) {
        if (this.firstDifference === null) this.lastAgreement = ordinal;
      } else {
        this.differ(
          ordinal,
          `the envelope hash at ordinal ${ordinal} is ${event.envelopeHash}, the checkpoint holds ${hash}`,
        );
      }
    }
  }

  finish(): AgainstOutcome {
    const tip = BigInt(this.checkpoint.ordinal);
    const truncated = this.lastEvent < tip;
    if (truncated) {
      this.report(
        this.lastEvent + 1n,
        'checkpoint_missing',
        `${chainEnd(this.lastEvent)}; the checkpoint of ${this.checkpoint.created_at} holds ${this.checkpoint.events} events up to ordinal ${tip} (tip ${this.checkpoint.tip_hash}): the chain was truncated`,
      );
    }
    return {
      ordinal: this.checkpoint.ordinal,
      firstDifference:
        this.firstDifference === null
          ? truncated
            ? Number(this.lastEvent + 1n)
            : null
          : Number(this.firstDifference),
      lastAgreement: this.lastAgreement === null ? null : Number(this.lastAgreement),
      truncated,
    };
  }

  private differ(ordinal: bigint, what: string): void {
    if (this.firstDifference !== null) return;
    this.firstDifference = ordinal;
    const agreed = this.lastAgreement;
    const where =
      agreed === ordinal - 1n
        ? `the chain agrees with the checkpoint up to ordinal ${agreed}: the first event that differs is ${ordinal}`
        : agreed === null
          ? `the checkpoint holds no earlier hash that still matches: the change begins at or before ordinal ${ordinal}`
          : `the chain still agrees with the checkpoint at ordinal ${agreed}, the nearest earlier hash it holds: the change begins between ordinals ${agreed + 1n} and ${ordinal}`;
    this.report(
      ordinal,
      'checkpoint_mismatch',
      `${what}; ${where} (rewritten or forked since the checkpoint of ${this.checkpoint.created_at})`,
    );
  }
}

/** One envelope hash a recorded checkpoint holds: its tip, or an ordinal of its trail. */
interface HeldHash {
  ordinal: bigint;
  hash: string;
  /** Which checkpoint holds it (its index in the list). */
  checkpoint: number;
  tip: boolean;
}

/**
 * The checkpoints the source recorded (few: read before the events). Each one's stored document must be a
 * checkpoint document of this campaign that says what its row's columns say, and every envelope hash it holds,
 * its tip's and its trail's, must still be the chain's at that ordinal. These are operator-controlled (a
 * consistent rewrite of the chain and of them is caught only by a checkpoint kept elsewhere, `--against`), so this
 * is a consistency check: it catches a chain or a checkpoint changed on its own. Each checkpoint's first
 * difference is reported, not every one.
 */
export class RecordedCheckpointChecker {
  private readonly held: HeldHash[] = [];
  private next = 0;
  private lastEvent = -1n;
  /** The checkpoints already reported as differing from the chain. */
  private readonly differing = new Set<number>();

  constructor(
    private readonly checkpoints: readonly RecordedCheckpoint[],
    campaign: string,
    campaignId: string | null,
    private readonly report: ReportProblem,
  ) {
    const seen = new Set<string>();
    checkpoints.forEach((cp, index) => {
      const key = `${cp.ordinal} ${instantKey(cp.createdAt)}`;
      if (seen.has(key)) {
        report(cp.ordinal, 'checkpoint_mismatch', `${describe(cp)} is recorded twice`);
      }
      seen.add(key);
      const hashes = new Map<bigint, string>([[cp.ordinal, cp.tipHash]]);
      const document = this.checkDocument(cp, campaign, campaignId);
      for (const [ordinal, hash] of document?.trail ?? []) {
        if (BigInt(ordinal) !== cp.ordinal) hashes.set(BigInt(ordinal), hash);
      }
      for (const [ordinal, hash] of hashes) {
        this.held.push({ ordinal, hash, checkpoint: index, tip: ordinal === cp.ordinal });
      }
    });
    this.held.sort((a, b) =>
      a.ordinal < b.ordinal ? -1 : a.ordinal > b.ordinal ? 1 : a.checkpoint - b.checkpoint,
    );
  }

  /** Synchronous: the checkpoints were read before the events. */
  onEvent(event: EventFacts): undefined {
    this.lastEvent = event.ordinal;
    for (
      let held = this.held[this.next];
      held && held.ordinal <= event.ordinal;
      held = this.held[this.next]
    ) {
      this.next += 1;
      if (held.ordinal < event.ordinal) {
        this.differ(held, `names ordinal ${held.ordinal}, which is not in the chain`);
      } else if (held.hash !== event.envelopeHash) {
        this.differ(
          held,
          `holds ${held.tip ? 'tip' : 'envelope hash'} ${held.hash} ${held.tip ? '' : 'in its trail '}at ordinal ${held.ordinal}, the chain has ${event.envelopeHash}`,
        );
      }
    }
    return undefined;
  }

  async close(): Promise<void> {}

  async finish(): Promise<void> {
    const reported = new Set<number>();
    for (const held of this.held.slice(this.next)) {
      if (reported.has(held.checkpoint)) continue;
      reported.add(held.checkpoint);
      const cp = this.checkpoints[held.checkpoint] as RecordedCheckpoint;
      this.report(
        this.lastEvent + 1n,
        'checkpoint_missing',
        `${chainEnd(this.lastEvent)}; ${describe(cp)} holds ${cp.events} events up to ordinal ${cp.ordinal} (tip ${cp.tipHash})`,
      );
    }
  }

  private differ(held: HeldHash, what: string): void {
    if (this.differing.has(held.checkpoint)) return;
    this.differing.add(held.checkpoint);
    const cp = this.checkpoints[held.checkpoint] as RecordedCheckpoint;
    this.report(held.ordinal, 'checkpoint_mismatch', `${describe(cp)} ${what}`);
  }

  /** The stored document, when it is a checkpoint document of this campaign that says what the row's columns say. */
  private checkDocument(
    cp: RecordedCheckpoint,
    campaign: string,
    campaignId: string | null,
  ): CheckpointDocument | null {
    const mismatch = (why: string) => {
      this.report(cp.ordinal, 'checkpoint_mismatch', `${describe(cp)}: its stored document ${why}`);
      return null;
    };
    let document: CheckpointDocument;
    try {
      document = parseCheckpoint(cp.document.toString('utf8'), 'it');
    } catch (error) {
      // parseCheckpoint's message says "it is not a checkpoint document: why".
      return mismatch((error instanceof Error ? error.message : String(error)).replace(/^it /, ''));
    }
    const disagreeing = [
      BigInt(document.ordinal) !== cp.ordinal && 'ordinal',
      BigInt(document.events) !== cp.events && 'events',
      document.tip_hash !== cp.tipHash && 'tip_hash',
      document.state_digest !== cp.stateDigest && 'state_digest',
      !sameInstant(document.created_at, cp.createdAt) && 'created_at',
      (document.key_id ?? null) !== cp.keyId && 'key_id',
      (document.signature ?? null) !== cp.signature && 'signature',
    ].filter((name): name is string => name !== false);
    if (disagreeing.length > 0) return mismatch(`does not match its columns (${disagreeing.join(', ')})`);
    if (document.campaign !== campaign)
      return mismatch(`is for campaign '${document.campaign}', not '${campaign}'`);
    if (campaignId !== null && document.campaign_id !== campaignId) {
      return mismatch(`is for campaign id ${document.campaign_id}, this campaign has id ${campaignId}`);
    }
    if (document.events !== document.ordinal + 1) {
      return mismatch(`counts ${document.events} events up to ordinal ${document.ordinal}`);
    }
    return document;
  }
}

/** A UTC timestamp (`…T…Z`, 0 to 6 fractional digits) with 6: the same instant, the same text. */
function instantKey(text: string): string {
  return text.replace(/(?:\.(\d{1,6}))?Z$/, (_, fraction = '') => `.${fraction.padEnd(6, '0')}Z`);
}

function sameInstant(a: string, b: string): boolean {
  return instantKey(a) === instantKey(b);
}

/** Where the chain ends: at its last ordinal, or before any (a campaign with no events, or none at all). */
function chainEnd(lastEvent: bigint): string {
  return lastEvent < 0n ? 'the chain holds no events' : `the chain ends at ordinal ${lastEvent}`;
}

function describe(cp: RecordedCheckpoint): string {
  return `the checkpoint recorded at ${cp.createdAt}${cp.keyId ? ` (key ${cp.keyId})` : ''}`;
}
