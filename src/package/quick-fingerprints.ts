/**
 * The fingerprints of a package taken the quick way, to recognise a rerun before anything is checked: the raw
 * hash of the manifest, of every file its content_index lists and of every file in the phase folders (the same
 * set `fingerprintPackage` covers), hashed on two threads. The manifest is only read with `JSON.parse` for its
 * content_index keys.
 *
 * For a package that is byte for byte one already imported (its manifest included, hence its content_index), the
 * files digest over these fingerprints is the one that import recorded; for any other package it differs, and the
 * full read decides (and names what is wrong).
 */
import { compareCodePoints } from '../canonical/index.js';
import { listedPath } from './discover-files.js';
import { FileReader } from './file-reader.js';
import { startHashing } from './parallel-hasher.js';
import { MANIFEST_FILE } from './read-manifest.js';
import type { ListedPackage } from './read-package.js';
import { resolveInside } from './resolve-path.js';

export interface Fingerprint {
  path: string;
  rawHash: string;
}

export interface QuickFingerprints {
  fingerprints: Fingerprint[];
  /** The `package_id` the manifest names, read as `quickPackageId` reads it. */
  packageId: string | null;
}

/** `null` when some file is not a plain readable file inside the package: only the full read says what is wrong. */
export async function quickFingerprints(listed: ListedPackage): Promise<QuickFingerprints | null> {
  const { rootReal, discoveries } = listed;
  const discovered = new Set<string>();
  for (const discovery of discoveries) {
    if (discovery.unreadable || discovery.regular.size !== discovery.paths.length) return null;
    for (const file of discovery.paths) discovered.add(file);
  }
  const inFolders = [...discovered];
  const hashing = startHashing(inFolders.map((relative) => listedPath(rootReal, relative)));

  // Meanwhile, on this thread: the manifest and the listed files outside the phase folders.
  const reader = new FileReader(false);
  const readInside = (relative: string): string | null => {
    const resolution = resolveInside(rootReal, relative);
    if (resolution.kind !== 'inside') return null;
    const read = reader.read(resolution.absolute);
    return read.ok ? read.rawHash : null;
  };
  const fingerprints = new Map<string, string>();
  const manifest = resolveInside(rootReal, MANIFEST_FILE);
  const manifestRead = manifest.kind === 'inside' ? new FileReader().read(manifest.absolute) : null;
  if (!manifestRead?.ok) return null;
  fingerprints.set(MANIFEST_FILE, manifestRead.rawHash);
  const manifestValue = plainManifest(manifestRead.bytes);
  const listedKeys = contentIndexKeys(manifestValue);
  if (!listedKeys) return null;
  for (const key of listedKeys) {
    if (discovered.has(key)) continue;
    const rawHash = readInside(key);
    if (rawHash === null) return null;
    fingerprints.set(key, rawHash);
  }

  const hashes = await hashing.finish();
  for (const [index, relative] of inFolders.entries()) {
    const rawHash = hashes[index];
    if (rawHash === undefined) return null;
    fingerprints.set(relative, rawHash);
  }
  return {
    fingerprints: [...fingerprints]
      .sort(([a], [b]) => compareCodePoints(a, b))
      .map(([path, rawHash]) => ({ path, rawHash })),
    packageId: packageIdOf(manifestValue),
  };
}

/** content_index's keys, read the plain way (a manifest this cannot read is not one that was imported). */
function contentIndexKeys(manifest: Record<string, unknown> | null): string[] | null {
  const index = manifest?.content_index;
  return typeof index === 'object' && index !== null && !Array.isArray(index) ? Object.keys(index) : null;
}

function packageIdOf(manifest: Record<string, unknown> | null): string | null {
  const packageId = manifest?.package_id;
  return typeof packageId === 'string' ? packageId : null;
}

/**
 * The manifest's `package_id`, read the plain way (`JSON.parse`, which reads strings and takes the last of
 * duplicate keys as the import's reading does), or `null` when that cannot tell (no such file, not JSON, not a
 * string): far cheaper than reading the manifest for its hash, which needs all of it canonicalised.
 */
export function quickPackageId(listed: Pick<ListedPackage, 'rootReal'>): string | null {
  const manifest = resolveInside(listed.rootReal, MANIFEST_FILE);
  const read = manifest.kind === 'inside' ? new FileReader().read(manifest.absolute) : null;
  return read?.ok ? packageIdOf(plainManifest(read.bytes)) : null;
}

function plainManifest(bytes: Buffer): Record<string, unknown> | null {
  try {
    const manifest: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof manifest === 'object' && manifest !== null ? (manifest as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
