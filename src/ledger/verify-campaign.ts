/**
 * `chronicle verify`: recompute a campaign's whole chain from the stored bytes, and check the imports,
 * the ImportLog, the projections and the recorded checkpoints against it (optionally against a tip
 * document the auditor kept), in one consistent snapshot.
 */
import type { Session } from '../db/database.js';
import { type AgainstOptions, type AuditReport, runAudit, type VerifyScope } from './audit.js';
import { databaseSource, inSnapshot } from './db-source.js';

export interface VerifyOptions {
  /** `full` (default): the chain and every row derived from it; `chain`: the hash chain and checkpoints only. */
  scope?: VerifyScope;
  batchSize?: number;
  onProgress?: (eventsVerified: number) => void;
  against?: AgainstOptions;
}

export function verifyCampaign(
  session: Session,
  campaign: string,
  options: VerifyOptions = {},
): Promise<AuditReport> {
  return inSnapshot(session, 'read only', async (tx) => {
    const source = await databaseSource(tx, campaign, options.batchSize);
    return runAudit(source, {
      ...(options.scope ? { scope: options.scope } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.against ? { against: options.against } : {}),
    });
  });
}
