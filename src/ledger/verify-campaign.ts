/**
 * `chronicle verify`: recompute a campaign's whole chain from the stored bytes, and check the imports,
 * the ImportLog, the projections and the recorded checkpoints against it (optionally against a tip
 * document the auditor kept), in one consistent snapshot. A campaign that does not exist is refused
 * (`campaign.not_found`): a misspelt name must not verify as an intact empty chain. Against a checkpoint it is
 * a verification failure instead: the checkpoint proves the chain existed, and it is gone.
 */
import type { Session } from '../db/database.js';
import { type AuditOptions, type AuditReport, runAudit, type VerifyScope } from './audit.js';
import { databaseSource, inSnapshot } from './db-source.js';
import type { HashThread } from './hashed-pages.js';
import { campaignNotFound } from './ledger-sql.js';

export interface VerifyOptions {
  /** `full` (default): the chain and every row derived from it; `chain`: the hash chain and checkpoints only. */
  scope?: VerifyScope;
  batchSize?: number;
  onProgress?: (eventsVerified: number, expected?: number) => void;
  /** One tip document or several (see AuditOptions). */
  against?: AuditOptions['against'];
  /** Problems listed at most (default MAX_REPORTED_PROBLEMS); the report counts the others. */
  maxProblems?: number;
  /** Which thread recomputes the events' hashes (default: chosen by scope and length, see audit.ts). */
  hashThread?: HashThread;
  /** Stops the verification at the next page of events (see AuditOptions). */
  signal?: AbortSignal;
}

export function verifyCampaign(
  session: Session,
  campaign: string,
  options: VerifyOptions = {},
): Promise<AuditReport> {
  return inSnapshot(session, 'read only', async (tx) => {
    const source = await databaseSource(tx, campaign, options.batchSize);
    // Unless its run records name imports: then the campaign existed, and the audit reports them missing.
    const named = options.scope === 'chain' ? [] : ((await source.recordedRuns?.()) ?? []);
    if (source.campaignId === null && !options.against && named.length === 0) {
      throw await campaignNotFound(tx, campaign);
    }
    return runAudit(source, {
      ...(options.scope ? { scope: options.scope } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.against ? { against: options.against } : {}),
      ...(options.hashThread ? { hashThread: options.hashThread } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.maxProblems !== undefined ? { maxProblems: options.maxProblems } : {}),
    });
  });
}
