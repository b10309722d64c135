/**
 * A manifest the campaign has already imported, met again: the rerun is a no-op only if it would import exactly
 * what was imported. Its files are hashed as the import hashed them (contents not kept) and compared with the
 * files digest the import recorded, which also names the embeddings setting (see computeFilesDigest):
 *
 * - the same digest: a no-op;
 * - the same files imported with the other embeddings setting: the package is planned with this run's setting,
 *   and it is a no-op only if the plan comes out the same (no lore file has an `embedding_hint`); otherwise the
 *   campaign, which cannot hold both, refuses it (`package.imported_with_other_settings`);
 * - anything else: files not listed in content_index changed under the same manifest
 *   (`package.changed_since_import`).
 */
import { PackageRejectedError } from '../errors.js';
import { fingerprintPackage, type OpenedPackage, readOpenedPackage } from '../package/read-package.js';
import type { PlanOptions } from '../phases/types.js';
import { computeFilesDigest, planSnapshot } from '../plan/plan-import.js';
import type { CommittedImportRow } from './import-sql.js';

/** Returns when importing `opened` again would change nothing; throws why it would otherwise. */
export async function assertSameImport(
  previous: CommittedImportRow,
  opened: OpenedPackage,
  options: PlanOptions,
): Promise<void> {
  const fingerprinted = await fingerprintPackage(opened);
  const digest = computeFilesDigest(fingerprinted, options);
  if (previous.files_digest === digest) return;
  const otherSetting = computeFilesDigest(fingerprinted, { embeddings: !options.embeddings });
  if (previous.files_digest !== otherSetting) throw changedSinceImport(previous, digest);
  const { stateDigest } = planSnapshot(await readOpenedPackage(opened), options);
  if (stateDigest !== previous.state_digest) throw importedWithOtherSettings(previous, stateDigest, options);
}

function changedSinceImport(previous: CommittedImportRow, filesDigest: string): PackageRejectedError {
  return new PackageRejectedError(
    'manifest',
    'package.changed_since_import',
    `this manifest (${previous.manifest_hash}) was imported already, but files not listed in its content_index ` +
      'have changed since; list every file in content_index (or bump the manifest) and import again',
    { expected_hash: previous.files_digest, actual_hash: filesDigest, stable_id: previous.package_id },
  );
}

function importedWithOtherSettings(
  previous: CommittedImportRow,
  stateDigest: string,
  options: PlanOptions,
): PackageRejectedError {
  const [now, then] = options.embeddings ? ['on', 'off'] : ['off', 'on'];
  return new PackageRejectedError(
    'manifest',
    'package.imported_with_other_settings',
    `this package (manifest ${previous.manifest_hash}) was imported into the campaign with lore embeddings ${then} ` +
      `(state digest ${previous.state_digest}); with embeddings ${now} it imports differently (state digest ` +
      `${stateDigest}) and a campaign cannot hold both: import it with embeddings ${then}, or into another campaign`,
    { expected_hash: previous.state_digest, actual_hash: stateDigest, stable_id: previous.package_id },
  );
}
