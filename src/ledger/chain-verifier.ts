/**
 * Checks a campaign's chain event by event against the stored bytes: dense ordinals, prev links, payload
 * hashes, idempotency keys and envelope hashes (recomputed beforehand, see hashed-pages.ts). Fed one event at
 * a time (from the database or a bundle), it holds constant memory, and reports every problem with its
 * ordinal and kind.
 */
import { ZERO_HASH } from './envelope.js';
import { type RecomputedHashes, sameBytes } from './event-hashes.js';

export interface StoredEvent {
  campaignId: string;
  replayOrdinal: bigint;
  eventType: string;
  schemaVersion: number;
  worldTime: bigint;
  wallTimeMicros: bigint;
  prevEventHash: Buffer;
  payloadHash: Buffer;
  idempotencyKey: Buffer;
  envelopeHash: Buffer;
  payloadCanonical: Buffer;
  /** False when the queryable jsonb payload no longer equals the stored canonical bytes. */
  payloadJsonMatches?: boolean;
  /** The jsonb payload as text, carried only when it differs from the canonical bytes (for the report). */
  payloadJsonb?: string | null;
  /** The import that appended the event (events.import_id). */
  importId?: string | null;
  actorId?: string | null;
}

export type ProblemKind =
  | 'missing_events'
  | 'unexpected_ordinal'
  | 'prev_link'
  | 'payload_hash'
  | 'payload_json'
  | 'idempotency_key'
  | 'envelope_hash'
  | 'world_time'
  | 'checkpoint_mismatch'
  | 'checkpoint_missing'
  | 'checkpoint_signature'
  | 'projection_mismatch'
  | 'import_log_mismatch'
  | 'import_mismatch'
  | 'state_digest';

export interface VerifyProblem {
  ordinal: number;
  kind: ProblemKind;
  message: string;
}

const hex = (b: Buffer) => b.toString('hex');

/** Problems a report lists at most; the rest are counted (`problemsOmitted`). */
export const MAX_REPORTED_PROBLEMS = 10_000;

/**
 * The problems of a verification, bounded: those at the lowest `limit` ordinals are kept (in the order reported
 * within an ordinal), the others only counted. A chain altered throughout would otherwise hold millions of
 * them (hundreds of MB) and print a JSON report too long for one string.
 */
export class ProblemList {
  private kept: VerifyProblem[] = [];
  private total = 0;

  constructor(private readonly limit = MAX_REPORTED_PROBLEMS) {}

  add(problem: VerifyProblem): void {
    this.total += 1;
    this.kept.push(problem);
    if (this.kept.length >= 2 * this.limit) this.trim();
  }

  get count(): number {
    return this.total;
  }

  /** The kept problems, by ordinal. */
  sorted(): VerifyProblem[] {
    this.trim();
    return this.kept;
  }

  private trim(): void {
    this.kept.sort((a, b) => a.ordinal - b.ordinal);
    if (this.kept.length > this.limit) this.kept.length = this.limit;
  }
}

export class ChainVerifier {
  private expectedOrdinal = 0n;
  private expectedPrev: Buffer = ZERO_HASH;
  private count = 0;
  private tip: Buffer | null = null;

  /**
   * `checksQueryCopy`: report a jsonb payload copy that differs from the bytes (not part of the chain itself).
   * `problems` receives what is found.
   */
  constructor(
    private readonly checksQueryCopy = true,
    readonly problems = new ProblemList(),
  ) {}

  /** `hashes`, at `index`: the hashes recomputed from this event's stored columns. */
  push(event: StoredEvent, hashes: RecomputedHashes, index: number): void {
    const ordinal = event.replayOrdinal;
    const at = Number(ordinal);
    this.count += 1;
    if (ordinal > this.expectedOrdinal) {
      this.report(Number(this.expectedOrdinal), 'missing_events', this.gapMessage(ordinal));
    } else if (ordinal < this.expectedOrdinal) {
      this.report(
        at,
        'unexpected_ordinal',
        `ordinal ${ordinal} appears again or out of order (after ordinal ${this.expectedOrdinal - 1n})`,
      );
    }
    const prev = event.prevEventHash;
    if (prev.length !== this.expectedPrev.length || !sameBytes(prev, this.expectedPrev)) {
      this.report(
        at,
        'prev_link',
        `prev_event_hash ${hex(event.prevEventHash)} does not link to the previous envelope ${hex(this.expectedPrev)}`,
      );
    }
    if (!hashes.matches(index, 'payloadHash', event.payloadHash)) {
      this.report(
        at,
        'payload_hash',
        `payload bytes hash to ${hashes.hex(index, 'payloadHash')}, stored payload_hash is ${hex(event.payloadHash)}`,
      );
    }
    if (this.checksQueryCopy && event.payloadJsonMatches === false) {
      this.report(
        at,
        'payload_json',
        'the jsonb payload column differs from the stored canonical payload bytes',
      );
    }
    if (!hashes.matches(index, 'idempotencyKey', event.idempotencyKey)) {
      this.report(
        at,
        'idempotency_key',
        `idempotency key recomputes to ${hashes.hex(index, 'idempotencyKey')}, stored ${hex(event.idempotencyKey)}`,
      );
    }
    if (event.worldTime !== ordinal) {
      this.report(at, 'world_time', `world_time ${event.worldTime} differs from the replay ordinal`);
    }
    if (!hashes.matches(index, 'envelopeHash', event.envelopeHash)) {
      this.report(
        at,
        'envelope_hash',
        `envelope recomputes to ${hashes.hex(index, 'envelopeHash')}, stored ${hex(event.envelopeHash)}`,
      );
    }
    // Continue from what is stored, so one bad event is reported once rather than cascading; an ordinal that
    // came back (repeated, or swapped with the one before) does not move the expected ordinal back.
    this.expectedPrev = event.envelopeHash;
    if (ordinal >= this.expectedOrdinal) this.expectedOrdinal = ordinal + 1n;
    this.tip = event.envelopeHash;
  }

  private gapMessage(ordinal: bigint): string {
    const from = this.expectedOrdinal;
    const missing =
      from === ordinal - 1n ? `event ${from} is missing` : `events ${from}..${ordinal - 1n} are missing`;
    const where =
      from === 0n ? `the chain starts at ordinal ${ordinal}` : `ordinal ${ordinal} follows ${from - 1n}`;
    return `${missing} (${where})`;
  }

  report(ordinal: number, kind: ProblemKind, message: string): void {
    this.problems.add({ ordinal, kind, message });
  }

  get events(): number {
    return this.count;
  }

  get tipHash(): string | null {
    return this.tip ? hex(this.tip) : null;
  }
}

export interface VerifyReport {
  ok: boolean;
  campaign: string;
  events: number;
  tipHash: string | null;
  firstBadOrdinal?: number;
  reason?: string;
  /** At the lowest ordinals, at most MAX_REPORTED_PROBLEMS of them. */
  problems: VerifyProblem[];
  /** Problems found beyond those listed (absent when every problem is listed). */
  problemsOmitted?: number;
}

/** The report of `verifier`'s chain and of the problems the other checks found (`extra`). */
export function buildReport(
  campaign: string,
  verifier: ChainVerifier,
  extra = new ProblemList(),
  limit = MAX_REPORTED_PROBLEMS,
): VerifyReport {
  const all = new ProblemList(limit);
  for (const problem of [...verifier.problems.sorted(), ...extra.sorted()]) all.add(problem);
  const problems = all.sorted();
  const found = verifier.problems.count + extra.count;
  const first = problems[0];
  return {
    ok: found === 0,
    campaign,
    events: verifier.events,
    tipHash: verifier.tipHash,
    ...(first ? { firstBadOrdinal: first.ordinal, reason: `${first.kind}: ${first.message}` } : {}),
    problems,
    ...(found > problems.length ? { problemsOmitted: found - problems.length } : {}),
  };
}
