/**
 * Reads a package directory into an immutable PackageSnapshot: the manifest (parsed, schema-checked, hashed),
 * content_index verified on raw bytes, and the files of every phase folder discovered and read once.
 * This is the only I/O of planning; the phases work on the snapshot. The I/O is synchronous (see file-reader.ts);
 * the function stays asynchronous so that callers do not depend on that.
 */
import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { compareCodePoints, type JsonNumber, type JsonObject } from '../canonical/index.js';
import { type ErrorFacts, PackageRejectedError, type Phase } from '../errors.js';
import type { Manifest, PackageFile, PackageSnapshot, PlanOptions } from '../phases/types.js';
import { type Discovery, discoverFiles, listedPath, ontologyFolder } from './discover-files.js';
import { FileReader } from './file-reader.js';
import { type LoadedManifest, loadManifest, MANIFEST_FILE } from './read-manifest.js';
import { isInside } from './resolve-path.js';
import { type FileProblem, verifyContentIndex } from './verify-content-index.js';

type FolderPhase = Extract<Phase, 'entity' | 'edge' | 'ontology' | 'lore'>;

interface PhaseFolder {
  phase: FolderPhase;
  folder: string;
  suffix: string;
}

/** How many problems an error message spells out (all of them are in `facts.problems`). */
const PROBLEMS_IN_MESSAGE = 5;

/** A package whose root and phase folders have been listed, nothing read yet. */
export interface ListedPackage {
  readonly rootReal: string;
  readonly options: PlanOptions;
  readonly folders: readonly PhaseFolder[];
  readonly discoveries: readonly Discovery[];
}

/** A listed package whose manifest has been read and checked, its other files not yet. */
export interface OpenedPackage extends ListedPackage {
  readonly manifest: Manifest;
  readonly loaded: LoadedManifest;
}

/** Path and raw hash of every file a plan would read: what a rerun compares, without the bytes. */
export interface PackageFingerprints {
  manifest: Manifest;
  fingerprints: PackageSnapshot['fingerprints'];
}

/** Lists the phase folders and reads and checks the manifest: enough to know whether a package was imported. */
export async function openPackage(dir: string, options: PlanOptions): Promise<OpenedPackage> {
  return openListedPackage(listPackage(dir, options));
}

/** Finds the package root and lists its phase folders (the files in them are candidates, not read yet). */
export function listPackage(dir: string, options: PlanOptions): ListedPackage {
  const rootReal = packageRoot(dir);
  const folders: PhaseFolder[] = [
    { phase: 'entity', folder: 'entities', suffix: '.json' },
    { phase: 'edge', folder: 'edges', suffix: '.json' },
    { phase: 'ontology', folder: ontologyFolder(rootReal), suffix: '.json' },
    { phase: 'lore', folder: 'lore', suffix: '.md' },
  ];
  const discoveries = folders.map(({ folder, suffix }) => discoverFiles(rootReal, folder, suffix));
  return { rootReal, options, folders, discoveries };
}

export function openListedPackage(listed: ListedPackage): OpenedPackage {
  const loaded = loadManifest(listed.rootReal, listed.options.strict);
  return { ...listed, manifest: toManifest(loaded), loaded };
}

export async function readPackage(dir: string, options: PlanOptions): Promise<PackageSnapshot> {
  return readOpenedPackage(await openPackage(dir, options));
}

/**
 * The rest of `readPackage` for a package already opened (with the options it was opened with). `reader`: one that
 * may have read some of the files already (see shared-reading.ts).
 */
export async function readOpenedPackage(
  opened: OpenedPackage,
  reader: FileReader = new FileReader(),
): Promise<PackageSnapshot> {
  return readFiles(opened, reader);
}

/**
 * Checks and hashes every file exactly as `readPackage` does (same rejections), keeping no file contents:
 * a rerun's cost is reading and hashing the files, with memory bounded by the largest file.
 */
export async function fingerprintPackage(opened: OpenedPackage): Promise<PackageFingerprints> {
  const { manifest, fingerprints } = readFiles(opened, new FileReader(false));
  return { manifest, fingerprints };
}

function readFiles(
  { rootReal, loaded, manifest, options, folders, discoveries }: OpenedPackage,
  reader: FileReader,
): PackageSnapshot {
  // Every rejection after this point names the package it concerns.
  const hashFacts = {
    package_id: manifest.packageId,
    ...(loaded.manifestHash ? { manifest_hash: loaded.manifestHash } : {}),
  };
  // Plain files seen in a listing below a phase folder inside the package: their content_index entries need
  // no path resolution (one system call each, tens of thousands of them).
  const knownInside = new Set(discoveries.flatMap((discovery) => [...discovery.regular]));

  const verification = verifyContentIndex(
    rootReal,
    manifest.contentIndex,
    reader,
    options.strict,
    knownInside,
  );
  if (verification.problems.length > 0) {
    throw problemsError('manifest', verification.problems, hashFacts);
  }
  if (loaded.hashError) {
    throw new PackageRejectedError(
      'manifest',
      'manifest.schema',
      `${MANIFEST_FILE}: cannot be canonicalised: ${loaded.hashError.message}`,
      { file: MANIFEST_FILE },
    );
  }

  // Folder by folder, in phase order: the first folder with a problem is the one reported.
  const files = folders.map((folder, index) =>
    readFolder(rootReal, folder, discoveries[index] as Discovery, reader, hashFacts),
  );
  const [entities, edges, ontology, lore] = files as [
    PackageFile[],
    PackageFile[],
    PackageFile[],
    PackageFile[],
  ];

  if (options.strict) {
    for (const [index, folder] of folders.entries()) {
      rejectUnlisted(folder, files[index] ?? [], manifest.contentIndex, hashFacts);
    }
  }

  const fingerprints = new Map<string, string>([[MANIFEST_FILE, loaded.rawHash]]);
  for (const listed of verification.read) fingerprints.set(listed.path, listed.rawHash);
  for (const file of files.flat()) fingerprints.set(file.path, file.rawHash);

  return {
    manifest,
    entities,
    edges,
    ontology,
    lore,
    fingerprints: [...fingerprints]
      .sort(([a], [b]) => compareCodePoints(a, b))
      .map(([filePath, rawHash]) => ({ path: filePath, rawHash })),
  };
}

function packageRoot(dir: string): string {
  let root: string;
  try {
    root = realpathSync.native(dir);
  } catch {
    throw new PackageRejectedError(
      'manifest',
      'manifest.not_found',
      `${MANIFEST_FILE}: not found (the package directory does not exist)`,
      { file: MANIFEST_FILE },
    );
  }
  if (!statSync(root).isDirectory()) {
    throw new PackageRejectedError(
      'manifest',
      'manifest.not_found',
      `${MANIFEST_FILE}: not found (the package path is a file, not a directory: give the folder that holds ${MANIFEST_FILE})`,
      { file: MANIFEST_FILE },
    );
  }
  return root;
}

function toManifest(loaded: LoadedManifest): Manifest {
  const raw: JsonObject = loaded.raw;
  const contentIndex = new Map<string, string>();
  const index = raw.content_index as JsonObject;
  for (const key of Object.keys(index)) contentIndex.set(key, index[key] as string);
  return {
    raw,
    packageId: raw.package_id as string,
    manifestHash: loaded.manifestHash ?? '',
    schemaVersion: (raw.schema_version as JsonNumber).toNumber(),
    rulesetVersion: raw.ruleset_version as string,
    contentIndex,
  };
}

function readFolder(
  rootReal: string,
  { phase }: PhaseFolder,
  discovery: Discovery,
  reader: FileReader,
  hashFacts: Record<string, unknown>,
): PackageFile[] {
  if (discovery.unreadable) {
    const { path: where, reason } = discovery.unreadable;
    throw new PackageRejectedError(phase, 'package.read_error', `${where}: cannot be read (${reason})`, {
      ...hashFacts,
      file: where,
    });
  }
  const outcomes = discovery.paths.map((relative) =>
    readDiscovered(rootReal, relative, reader, discovery.regular.has(relative)),
  );
  const problems = outcomes.filter((o): o is FileProblem => 'code' in o);
  if (problems.length > 0) throw problemsError(phase, problems, hashFacts);
  return outcomes as PackageFile[];
}

function readDiscovered(
  rootReal: string,
  relative: string,
  reader: FileReader,
  knownRegular: boolean,
): PackageFile | FileProblem {
  if (knownRegular) {
    const result = reader.read(listedPath(rootReal, relative));
    if (result.ok) return { path: relative, bytes: result.bytes, rawHash: result.rawHash };
  }
  let absolute: string;
  try {
    absolute = realpathSync.native(path.join(rootReal, relative));
  } catch {
    return {
      code: 'package.read_error',
      file: relative,
      message: `${relative}: cannot be read (broken symbolic link)`,
    };
  }
  if (!isInside(rootReal, absolute)) {
    return {
      code: 'package.path_escape',
      file: relative,
      message: `${relative}: resolves outside the package directory`,
    };
  }
  const result = reader.read(absolute);
  if (!result.ok) {
    return {
      code: 'package.read_error',
      file: relative,
      message: `${relative}: cannot be read (${result.reason})`,
    };
  }
  return { path: relative, bytes: result.bytes, rawHash: result.rawHash };
}

function rejectUnlisted(
  { phase }: PhaseFolder,
  files: readonly PackageFile[],
  contentIndex: ReadonlyMap<string, string>,
  hashFacts: Record<string, unknown>,
): void {
  const problems: FileProblem[] = files
    .filter((file) => !contentIndex.has(file.path))
    .map((file) => ({
      code: 'package.unlisted_file',
      file: file.path,
      message: `${file.path}: not listed in content_index (strict mode)`,
    }));
  if (problems.length > 0) throw problemsError(phase, problems, hashFacts);
}

/** One error for a list of problems: the first one's code and file, all of them in `problems`. */
export function problemsError(
  phase: Phase,
  problems: FileProblem[],
  extra: Record<string, unknown>,
): PackageRejectedError {
  const [first, ...rest] = problems as [FileProblem, ...FileProblem[]];
  const shown = rest.slice(0, PROBLEMS_IN_MESSAGE - 1).map((p) => p.message);
  const hidden = rest.length - shown.length;
  let message = first.message;
  if (rest.length > 0) {
    message += `; ${rest.length} more ${rest.length === 1 ? 'problem' : 'problems'}: ${shown.join('; ')}${hidden > 0 ? `; and ${hidden} more` : ''}`;
  }
  return new PackageRejectedError(phase, first.code, message, {
    ...extra,
    ...problemFacts(first),
    problems: problems.map((problem) => ({ code: problem.code, ...problemFacts(problem) })),
  });
}

function problemFacts({ code: _code, message: _message, ...facts }: FileProblem): ErrorFacts {
  return facts;
}
