/** `chronicle verify --bundle`: the same verification as on the database, from an exported file alone. */
import { type AuditOptions, type AuditReport, runAudit } from './audit.js';
import { BundleFormatError } from './bundle-format.js';
import { openBundle } from './bundle-source.js';

export interface VerifyBundleOptions extends AuditOptions {
  /** How to name the file in messages (default: the path as given). */
  label?: string;
}

/** A bundle found invalid past its header names the campaign that header gives (`campaign` in its facts). */
export async function verifyBundle(path: string, options: VerifyBundleOptions = {}): Promise<AuditReport> {
  const { label, ...audit } = options;
  const source = await openBundle(path, label ?? path, audit.signal);
  try {
    return await runAudit(source, audit);
  } catch (error) {
    if (!(error instanceof BundleFormatError) || 'campaign' in error.facts) throw error;
    throw new BundleFormatError(error.message, { ...error.facts, campaign: source.campaign });
  }
}
