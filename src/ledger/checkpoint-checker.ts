/**
 * Compares the chain with checkpoints while it is walked once in ordinal order:
 * - `AgainstChecker`: one tip document the auditor kept. Every ordinal of its trail must still have the
 *   envelope hash it recorded; the first one that does not is where the chain stopped being the one the
 *   checkpoint saw (exact when the trail holds the ordinal before it, a bracket otherwise). A chain that
 *   ends before the checkpoint's ordinal was truncated.
 * - `RecordedCheckpointChecker`: the checkpoints the database recorded (operator-controlled, so only a
 *   consistency check): each one's tip must still be the envelope hash at its ordinal.
 */
import type { RecordedCheckpoint, ReportProblem } from './audit-records.js';
import type { CheckpointDocument } from './checkpoint.js';
import type { EventFacts } from './event-facts.js';
import { Peekable } from './peekable.js';

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
    this.trail = [...entries.entries()]
      .filter(([o]) => o <= tip)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
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
        `the chain ends at ordinal ${this.lastEvent}; the checkpoint of ${this.checkpoint.created_at} holds ${this.checkpoint.events} events up to ordinal ${tip} (tip ${this.checkpoint.tip_hash}): the chain was truncated`,
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

/** Above every int64 ordinal. */
const PAST_EVERY_ORDINAL = 2n ** 63n;

export class RecordedCheckpointChecker {
  private readonly checkpoints: Peekable<RecordedCheckpoint>;
  private lastEvent = -1n;
  /** Once known, the next checkpoint's ordinal (past the end when none is left): earlier events need no look. */
  private nextOrdinal: bigint | null = null;

  constructor(
    checkpoints: AsyncIterable<RecordedCheckpoint>,
    private readonly report: ReportProblem,
  ) {
    this.checkpoints = new Peekable(checkpoints);
  }

  /** Synchronous for the events before the next checkpoint (most of them): for speed, no promise per event. */
  onEvent(event: EventFacts): Promise<void> | undefined {
    if (this.nextOrdinal !== null && event.ordinal < this.nextOrdinal) {
      this.lastEvent = event.ordinal;
      return undefined;
    }
    return this.check(event);
  }

  private async check(event: EventFacts): Promise<void> {
    this.lastEvent = event.ordinal;
    for (
      let cp = await this.checkpoints.peek();
      cp && cp.ordinal <= event.ordinal;
      cp = await this.checkpoints.peek()
    ) {
      await this.checkpoints.next();
      this.checkDocument(cp);
      if (cp.ordinal < event.ordinal) {
        this.report(
          cp.ordinal,
          'checkpoint_mismatch',
          `${describe(cp)} names ordinal ${cp.ordinal}, which is not in the chain`,
        );
      } else if (cp.tipHash !== event.envelopeHash) {
        this.report(
          cp.ordinal,
          'checkpoint_mismatch',
          `${describe(cp)} holds tip ${cp.tipHash}, the envelope hash at ordinal ${cp.ordinal} is ${event.envelopeHash}`,
        );
      }
    }
    this.nextOrdinal = (await this.checkpoints.peek())?.ordinal ?? PAST_EVERY_ORDINAL;
  }

  /** Ends the streams early (after an error). */
  async close(): Promise<void> {
    await this.checkpoints.close();
  }

  async finish(): Promise<void> {
    for (let cp = await this.checkpoints.next(); cp; cp = await this.checkpoints.next()) {
      this.checkDocument(cp);
      this.report(
        this.lastEvent + 1n,
        'checkpoint_missing',
        `the chain ends at ordinal ${this.lastEvent}; ${describe(cp)} holds ${cp.events} events up to ordinal ${cp.ordinal} (tip ${cp.tipHash})`,
      );
    }
  }

  /** The stored document must say what the row's columns say. */
  private checkDocument(cp: RecordedCheckpoint): void {
    let doc: Record<string, unknown> | null = null;
    try {
      doc = JSON.parse(cp.document.toString('utf8')) as Record<string, unknown>;
    } catch {
      doc = null;
    }
    const agrees =
      doc !== null &&
      sameInteger(doc.ordinal, cp.ordinal) &&
      sameInteger(doc.events, cp.events) &&
      doc.tip_hash === cp.tipHash &&
      (doc.signature ?? null) === cp.signature;
    if (!agrees) {
      this.report(
        cp.ordinal,
        'checkpoint_mismatch',
        `${describe(cp)}: its stored document does not match its columns`,
      );
    }
  }
}

function sameInteger(value: unknown, expected: bigint): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && BigInt(value) === expected;
}

function describe(cp: RecordedCheckpoint): string {
  return `the checkpoint recorded at ${cp.createdAt}${cp.keyId ? ` (key ${cp.keyId})` : ''}`;
}
