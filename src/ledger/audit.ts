/**
 * One verification pass over a campaign, from any source (the database or a bundle): the chain itself
 * (dense ordinals, links, payload hashes, keys, envelope hashes), the imports, the ImportLog, the
 * projections and the recorded checkpoints, and optionally a tip document the auditor kept. Every stream
 * is read once, in order, beside the events: memory does not grow with the chain (an import's state-digest
 * components are sorted with bounded memory, see digest-accumulator.ts).
 */
import type { KeyObject } from 'node:crypto';
import type { AuditSource, ReportProblem } from './audit-records.js';
import { buildReport, ChainVerifier, type VerifyProblem, type VerifyReport } from './chain-verifier.js';
import { type CheckpointDocument, checkSignature } from './checkpoint.js';
import { AgainstChecker, type AgainstOutcome, RecordedCheckpointChecker } from './checkpoint-checker.js';
import { eventFacts } from './event-facts.js';
import { ImportChecker } from './import-checker.js';
import { ImportLogChecker } from './import-log-checker.js';
import { ProjectionChecker } from './projection-checker.js';

export interface AgainstOptions {
  document: CheckpointDocument;
  /** The auditor's public key: the document's signature must verify with it. */
  publicKey?: KeyObject;
}

export interface AuditOptions {
  against?: AgainstOptions;
  onProgress?: (eventsVerified: number) => void;
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
  against?: AgainstReport;
}

const PROGRESS_EVERY = 10_000;

export async function runAudit(source: AuditSource, options: AuditOptions = {}): Promise<AuditReport> {
  const problems: VerifyProblem[] = [];
  const report: ReportProblem = (ordinal, kind, message) =>
    problems.push({ ordinal: Number(ordinal), kind, message });
  const chain = new ChainVerifier();
  const imports = new ImportChecker(source.imports(), report);
  const log = new ImportLogChecker(source.importLog(), source.imports(), report);
  const projections = new ProjectionChecker(source.projections(), report);
  const recorded = new RecordedCheckpointChecker(source.checkpoints(), report);
  const { checker: against, signature } = prepareAgainst(source, options.against, report);
  try {
    for await (const event of source.events()) {
      chain.push(event);
      const facts = eventFacts(event);
      await imports.onEvent(facts);
      await log.onEvent(facts);
      await projections.onEvent(facts);
      await recorded.onEvent(facts);
      against?.onEvent(facts);
      if (chain.events % PROGRESS_EVERY === 0) options.onProgress?.(chain.events);
    }
    await imports.finish();
    await log.finish();
    await projections.finish();
    await recorded.finish();
  } finally {
    await Promise.all([imports.close(), log.close(), projections.close(), recorded.close()]);
  }
  const result: AuditReport = buildReport(source.campaign, chain, problems);
  const document = options.against?.document;
  if (document) {
    const outcome: AgainstOutcome = against
      ? against.finish()
      : { ordinal: document.ordinal, firstDifference: null, lastAgreement: null, truncated: false };
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
