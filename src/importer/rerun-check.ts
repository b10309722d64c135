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
import { MANIFEST_FILE } from '../package/read-manifest.js';
import {
  fingerprintPackage,
  type OpenedPackage,
  type PackageFingerprints,
  readOpenedPackage,
} from '../package/read-package.js';
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
  if (previous.files_digest !== otherSetting) {
    throw changedSinceImport(previous, digest, unlistedFiles(fingerprinted));
  }
  const { stateDigest } = planSnapshot(await readOpenedPackage(opened), options);
  if (stateDigest !== previous.state_digest) throw importedWithOtherSettings(previous, stateDigest, options);
}

/** Unlisted files named in a refusal, at most. */
const UNLISTED_NAMED = 20;

/**
 * The files this run read that content_index does not list: the import recorded only their digest, so one of
 * them changed, or one was added or removed.
 */
function unlistedFiles({ manifest, fingerprints }: PackageFingerprints): string[] {
  return fingerprints
    .map(({ path }) => path)
    .filter((path) => path !== MANIFEST_FILE && !manifest.contentIndex.has(path));
}

function changedSinceImport(
  previous: CommittedImportRow,
  filesDigest: string,
  unlisted: readonly string[],
): PackageRejectedError {
  const named = unlisted.slice(0, UNLISTED_NAMED);
  const which =
    unlisted.length === 0
      ? 'it now has none, so one was removed'
      : `${unlisted.length === 1 ? 'the one it has now changed' : `one of the ${unlisted.length} it has now changed`}, ` +
        `or one was added or removed: ${named.join(', ')}` +
        (unlisted.length > named.length ? `, and ${unlisted.length - named.length} more` : '');
  return new PackageRejectedError(
    'manifest',
    'package.changed_since_import',
    `this manifest (${previous.manifest_hash}) was imported already, but the files not listed in its ` +
      `content_index are not the ones imported (${which}); list every file in content_index (or bump the ` +
      'manifest) and import again',
    {
      package_id: previous.package_id,
      manifest_hash: previous.manifest_hash,
      unlisted_files: named,
      expected_hash: previous.files_digest,
      actual_hash: filesDigest,
    },
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
    {
      package_id: previous.package_id,
      manifest_hash: previous.manifest_hash,
      expected_hash: previous.state_digest,
      actual_hash: stateDigest,
    },
  );
}
