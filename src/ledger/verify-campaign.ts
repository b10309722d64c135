/** `chronicle verify`: recompute a campaign's whole chain from the stored bytes. */
import type { Session } from '../db/database.js';
import { ChainVerifier, type VerifyReport, buildReport } from './chain-verifier.js';
import { campaignId, readEvents } from './ledger-sql.js';

export interface VerifyOptions {
  batchSize?: number;
  onProgress?: (eventsVerified: number) => void;
}

export async function verifyCampaign(session: Session, campaign: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const verifier = new ChainVerifier();
  const id = await campaignId(session, campaign);
  if (id !== null) {
    for await (const event of readEvents(session, id, options.batchSize ?? 1000)) {
      verifier.push(event);
      if (verifier.events % 10_000 === 0) options.onProgress?.(verifier.events);
    }
  }
  return buildReport(campaign, verifier);
}
