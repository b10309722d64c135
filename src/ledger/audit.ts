/**
 * One verification pass over a campaign, from any source (the database or a bundle): the chain itself
 * (dense ordinals, links, payload hashes, keys, envelope hashes), the imports, the ImportLog, the
 * projections and the recorded checkpoints, and optionally a tip document the auditor kept. Every stream
 * is read once, in order, beside the events: memory does not grow with the chain (an import's state-digest
 * components are sorted with bounded memory, see digest-accumulator.ts).
 */
import type { KeyObject } from 'node:crypto';
import { eventLoopTurns } from '../event-loop-turns.js';
import type { AuditSource, ReportProblem, VerifyScope } from './audit-records.js';
import {
  buildReport,
  ChainVerifier,
  ProblemList,
  type StoredEvent,
  type VerifyReport,
} from './chain-verifier.js';
import { type CheckpointDocument, checkSignature } from './checkpoint.js';
import { AgainstChecker, type AgainstOutcome, RecordedCheckpointChecker } from './checkpoint-checker.js';
import { chainFacts, type EventFacts, eventFacts } from './event-facts.js';
import { type HashThread, hashedPages } from './hashed-pages.js';
import { ImportChecker } from './import-checker.js';
import { ImportLogChecker } from './import-log-checker.js';
import { pagesOf } from './paged.js';
import { ProjectionChecker } from './projection-checker.js';

export type { VerifyScope } from './audit-records.js';

export interface AgainstOptions {
  document: CheckpointDocument;
  /** The auditor's public key: the document's signature must verify with it. */
  publicKey?: KeyObject;
  /** How this checkpoint is named (its file name): its problems start with it when several are checked. */
  label?: string;
}

/** A checker fed the events in order, beside the stream of rows it compares with them. */
interface EventChecker {
  /** A checker with nothing to wait for may answer synchronously (undefined). */
  onEvent(facts: EventFacts): Promise<void> | undefined;
  /** Reports what is left of its stream after the last event. */
  finish(): Promise<void>;
  /** Ends its stream early (after an error). */
  close(): Promise<void>;
}

export interface AuditOptions {
  /** `full` (default): the chain and every derived row; `chain`: the hash chain and checkpoints only. */
  scope?: VerifyScope;
  /**
   * Tip documents the chain must still extend: one, or several checked in the same pass (every checkpoint an
   * auditor kept: each one catches a rewrite of the events it saw that was made after it was taken).
   */
  against?: AgainstOptions | readonly AgainstOptions[];
  /** Every 10,000 events; `expected`: the events the source says it holds, when it knows. */
  onProgress?: (eventsVerified: number, expected?: number) => void;
  /** Problems listed at most (default MAX_REPORTED_PROBLEMS); the report counts the others. */
  maxProblems?: number;
  /** Which thread recomputes the events' hashes (tests pin it; see hashed-pages.ts). */
  hashThread?: HashThread;
  /** Stops the verification at the next page of events; it throws the signal's reason (nothing is concluded). */
  signal?: AbortSignal;
}

/** What `--against` found, beside the problems. */
export interface AgainstReport extends AgainstOutcome {
  tipHash: string;
  createdAt: string;
  /** valid: checked with the given key; refused: it did not verify; unchecked: signed, no key given. */
  signature: 'valid' | 'refused' | 'unchecked' | 'unsigned';
  keyId: string | null;
  /** The checkpoint's `label`, when it was given one. */
  label?: string;
}

export interface AuditReport extends VerifyReport {
  /** What was checked (see VerifyScope). */
  scope: VerifyScope;
  /** The newest checkpoint checked (the highest ordinal; the first given of those at that ordinal). */
  against?: AgainstReport;
  /** When several checkpoints were checked: each of them, in the order given. */
  againstAll?: AgainstReport[];
}

const PROGRESS_EVERY = 10_000;

export async function runAudit(source: AuditSource, options: AuditOptions = {}): Promise<AuditReport> {
  const problems = new ProblemList(options.maxProblems);
  const report: ReportProblem = (ordinal, kind, message) =>
    problems.add({ ordinal: Number(ordinal), kind, message });
  const scope = options.scope ?? 'full';
  const full = scope === 'full';
  const chain = new ChainVerifier(full, new ProblemList(options.maxProblems));
  // Each checker walks its own stream beside the events; the derived rows only in a full verification.
  const checkers: EventChecker[] = [
    ...(full
      ? [
          new ImportChecker(source.imports(), report, (await source.recordedRuns?.()) ?? []),
          new ImportLogChecker(source.importLog(), source.imports(), report),
          new ProjectionChecker(source.projections(), report),
        ]
      : []),
    new RecordedCheckpointChecker(
      await readAll(source.checkpoints()),
      source.campaign,
      source.campaignId,
      report,
    ),
  ];
  const documents = againstList(options.against);
  const several = documents.length > 1;
  const againsts = documents.map((given) =>
    prepareAgainst(source, given, several && given.label ? labelled(report, given.label) : report),
  );
  try {
    // A full verification keeps this thread and the database busy on their own: a hashing thread would only
    // take the cores from them (measured: slower). The chain alone is hashed beside this thread.
    const hashThread = options.hashThread ?? (full ? 'this' : 'auto');
    // A stop is seen at the next page (on PGlite only once the event loop has had a turn: see event-loop-turns.ts).
    const turn = eventLoopTurns();
    let highest = -1n;
    for await (const { events, hashes } of hashedPages(pagesOf(source.events(scope)), hashThread)) {
      if (options.signal) {
        await turn();
        options.signal.throwIfAborted();
      }
      for (let index = 0; index < events.length; index += 1) {
        const event = events[index] as StoredEvent;
        chain.push(event, hashes, index);
        if (chain.events % PROGRESS_EVERY === 0) options.onProgress?.(chain.events, source.expectedEvents);
        // An event repeated or out of order (lines moved in a bundle) is the chain check's to report: the other
        // streams were walked past its ordinal already, and would call it missing as well.
        if (event.replayOrdinal <= highest) continue;
        highest = event.replayOrdinal;
        const facts = full ? eventFacts(event) : chainFacts(event);
        for (const checker of checkers) {
          const pending = checker.onEvent(facts);
          if (pending) await pending;
        }
        for (const { checker } of againsts) checker?.onEvent(facts);
      }
    }
    // A campaign is made by the transaction of its first import, which appends its events: one that holds none
    // had them all removed (a misspelt name never gets here: it has no campaign id).
    if (chain.events === 0 && source.campaignId !== null) {
      report(
        0n,
        'missing_events',
        `campaign '${source.campaign}' exists but holds no events: a campaign is created by an import that appends them, so they were removed`,
      );
    }
    for (const checker of checkers) await checker.finish();
  } finally {
    await Promise.all(checkers.map((checker) => checker.close()));
  }
  // Before the report is built: a chain that ends before a checkpoint is a problem `finish` reports.
  const outcomes: AgainstReport[] = againsts.map(({ checker, given, signature }) => {
    const { document } = given;
    const outcome: AgainstOutcome = checker?.finish() ?? {
      ordinal: document.ordinal,
      firstDifference: null,
      lastAgreement: null,
      truncated: false,
    };
    return {
      ...outcome,
      tipHash: document.tip_hash,
      createdAt: document.created_at,
      signature: signature.verdict,
      keyId: signature.keyId,
      ...(given.label !== undefined ? { label: given.label } : {}),
    };
  });
  const result: AuditReport = {
    ...buildReport(source.campaign, chain, problems, options.maxProblems),
    scope,
  };
  const newest = outcomes.reduce<AgainstReport | undefined>(
    (best, outcome) => (best === undefined || outcome.ordinal > best.ordinal ? outcome : best),
    undefined,
  );
  if (newest) result.against = newest;
  if (several) result.againstAll = outcomes;
  return result;
}

/**
 * A stream read to its end before the events are: the recorded checkpoints (few), whose trails name ordinals
 * before their own. (A chain-only source may also send the events as one statement that keeps its session busy
 * until the last event.)
 */
async function readAll<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const records: T[] = [];
  for await (const record of stream) records.push(record);
  return records;
}

/** The tip documents to check, as a list. */
function againstList(against: AuditOptions['against']): readonly AgainstOptions[] {
  if (against === undefined) return [];
  return 'document' in against ? [against] : against;
}

/** Problems of one of several checkpoints start with its name. */
function labelled(report: ReportProblem, label: string): ReportProblem {
  return (ordinal, kind, message) => report(ordinal, kind, `checkpoint ${label}: ${message}`);
}

interface PreparedAgainst {
  given: AgainstOptions;
  /** Null when the signature was refused: the document is not compared with the chain. */
  checker: AgainstChecker | null;
  signature: { verdict: AgainstReport['signature']; keyId: string | null };
}

/**
 * Checks a tip document's signature and campaign first: a refused document, or one of another campaign, is not
 * compared with the chain.
 */
function prepareAgainst(source: AuditSource, given: AgainstOptions, report: ReportProblem): PreparedAgainst {
  const { document, publicKey } = given;
  const at = BigInt(document.ordinal);
  let verdict: AgainstReport['signature'] = document.signature === undefined ? 'unsigned' : 'unchecked';
  if (publicKey) {
    const checked = checkSignature(document, publicKey);
    if (!checked.ok) {
      report(at, 'checkpoint_signature', checked.reason);
      return { given, checker: null, signature: { verdict: 'refused', keyId: document.key_id ?? null } };
    }
    verdict = 'valid';
  }
  if (document.campaign !== source.campaign) {
    // Another campaign's chain differs from it everywhere: that one problem says it, not one per trail entry.
    report(
      0n,
      'checkpoint_mismatch',
      `the checkpoint is for campaign '${document.campaign}', not '${source.campaign}': the chain is not compared with it`,
    );
    return { given, checker: null, signature: { verdict, keyId: document.key_id ?? null } };
  }
  return {
    given,
    checker: new AgainstChecker(document, source.campaignId, report),
    signature: { verdict, keyId: document.key_id ?? null },
  };
}
