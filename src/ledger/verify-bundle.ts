/** `chronicle verify --bundle`: the same verification as on the database, from an exported file alone. */
import { type AuditOptions, type AuditReport, runAudit } from './audit.js';
import { openBundle } from './bundle-source.js';

export interface VerifyBundleOptions extends AuditOptions {
  /** How to name the file in messages (default: the path as given). */
  label?: string;
}

export async function verifyBundle(path: string, options: VerifyBundleOptions = {}): Promise<AuditReport> {
  const { label, ...audit } = options;
  return runAudit(await openBundle(path, label ?? path), audit);
}
