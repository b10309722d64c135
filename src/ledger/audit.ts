/**
 * One verification pass over a campaign, from any source (the database or a bundle): the chain itself
 * (dense ordinals, links, payload hashes, keys, envelope hashes), the imports, the ImportLog, the
 * projections and the recorded checkpoints, and optionally a tip document the auditor kept. Every stream
 * is read once, in order, beside the events: memory does not grow with the chain (an import's state-digest
 * components are sorted with bounded memory, see digest-accumulator.ts).
 */
import type { KeyObject } from 'node:crypto';
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
  against?: AgainstOptions;
  /** Every 10,000 events; `expected`: the events the source says it holds, when it knows. */
  onProgress?: (eventsVerified: number, expected?: number) => void;
  /** Problems listed at most (default MAX_REPORTED_PROBLEMS); the report counts the others. */
  maxProblems?: number;
  /** Which thread recomputes the events' hashes (tests pin it; see hashed-pages.ts). */
  hashThread?: HashThread;
}

/** What `--against` found, beside the problems. */
export interface AgainstReport extends AgainstOutcome {
  tipHash: string;
  createdAt: string;
  /** valid: checked with the given key; refused: it did not verify; unchecked: signed, no key given. */
  signature: 'valid' | 'refused' | 'unchecked' | 'unsigned';
  keyId: string | null;
}

export interface AuditReport extends VerifyReport {
  /** What was checked (see VerifyScope). */
  scope: VerifyScope;
  against?: AgainstReport;
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
          new ImportChecker(source.imports(), report),
          new ImportLogChecker(source.importLog(), source.imports(), report),
          new ProjectionChecker(source.projections(), report),
        ]
      : []),
    new RecordedCheckpointChecker(
      full ? source.checkpoints() : await readAhead(source.checkpoints()),
      report,
    ),
  ];
  const { checker: against, signature } = prepareAgainst(source, options.against, report);
  try {
    // A full verification keeps this thread and the database busy on their own: a hashing thread would only
    // take the cores from them (measured: slower). The chain alone is hashed beside this thread.
    const hashThread = options.hashThread ?? (full ? 'this' : 'auto');
    for await (const { events, hashes } of hashedPages(pagesOf(source.events(scope)), hashThread)) {
      for (let index = 0; index < events.length; index += 1) {
        const event = events[index] as StoredEvent;
        chain.push(event, hashes, index);
        const facts = full ? eventFacts(event) : chainFacts(event);
        for (const checker of checkers) {
          const pending = checker.onEvent(facts);
          if (pending) await pending;
        }
        against?.onEvent(facts);
        if (chain.events % PROGRESS_EVERY === 0) options.onProgress?.(chain.events, source.expectedEvents);
      }
    }
    for (const checker of checkers) await checker.finish();
  } finally {
    await Promise.all(checkers.map((checker) => checker.close()));
  }
  const document = options.against?.document;
  // Before the report is built: a chain that ends before the checkpoint is a problem `finish` reports.
  const outcome: AgainstOutcome | null = document
    ? (against?.finish() ?? {
        ordinal: document.ordinal,
        firstDifference: null,
        lastAgreement: null,
        truncated: false,
      })
    : null;
  const result: AuditReport = {
    ...buildReport(source.campaign, chain, problems, options.maxProblems),
    scope,
  };
  if (document && outcome) {
    result.against = {
      ...outcome,
      tipHash: document.tip_hash,
      createdAt: document.created_at,
      signature: signature.verdict,
      keyId: signature.keyId,
    };
  }
  return result;
}

/**
 * A stream read to its end before the events are: a chain-only source may send the events as one statement
 * (a binary COPY) that keeps its session busy until the last event. Used for the recorded checkpoints (few).
 */
async function readAhead<T>(stream: AsyncIterable<T>): Promise<AsyncIterable<T>> {
  const records: T[] = [];
  for await (const record of stream) records.push(record);
  return (async function* () {
    yield* records;
  })();
}

/** Checks the tip document's signature first: a refused document is not compared with the chain. */
function prepareAgainst(
  source: AuditSource,
  options: AgainstOptions | undefined,
  report: ReportProblem,
): {
  checker: AgainstChecker | null;
  signature: { verdict: AgainstReport['signature']; keyId: string | null };
} {
  if (!options) return { checker: null, signature: { verdict: 'unsigned', keyId: null } };
  const { document, publicKey } = options;
  const at = BigInt(document.ordinal);
  let verdict: AgainstReport['signature'] = document.signature === undefined ? 'unsigned' : 'unchecked';
  if (publicKey) {
    const checked = checkSignature(document, publicKey);
    if (!checked.ok) {
      report(at, 'checkpoint_signature', checked.reason);
      return { checker: null, signature: { verdict: 'refused', keyId: document.key_id ?? null } };
    }
    verdict = 'valid';
  }
  if (document.campaign !== source.campaign) {
    report(
      0n,
      'checkpoint_mismatch',
      `the checkpoint is for campaign '${document.campaign}', not '${source.campaign}'`,
    );
  }
  return {
    checker: new AgainstChecker(document, source.campaignId, report),
    signature: { verdict, keyId: document.key_id ?? null },
  };
}
