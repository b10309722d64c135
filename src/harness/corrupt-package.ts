/**
 * Copies a valid package to a new directory and breaks the copy in one named way (see scenarios.ts). The
 * source is never modified: the copy shares no file with it (copy-tree.ts) and a scenario edits only paths that
 * resolve inside the copy (package-copy.ts). Deterministic: the same package and scenario give the same bytes.
 */
import { readdir, realpath, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { type Phase, type RejectionCode, UsageError } from '../errors.js';
import { isInside } from '../package/resolve-path.js';
import { copyTree } from './copy-tree.js';
import { prepareOutDir, realLocation } from './out-dir.js';
import { PackageCopy } from './package-copy.js';
import { MANIFEST_FILE } from './package-writer.js';
import { findScenario, type ScenarioName } from './scenarios.js';

export interface CorruptedPackage {
  dir: string;
  scenario: ScenarioName;
  /** The package-relative file the scenario added, changed or removed. */
  file: string;
  /** What was done, in one sentence. */
  detail: string;
  /** The rejection planning or importing the copy must give. */
  expectedCode: RejectionCode;
  expectedPhase: Phase;
}

export async function corruptPackage(
  srcDir: string,
  scenario: string,
  outDir: string,
): Promise<CorruptedPackage> {
  const chosen = findScenario(scenario);
  await requirePackage(srcDir);
  // Real paths: an output reached through a link into the package (`alias/inner`) is inside it too.
  if (isInside(await realpath(srcDir), realLocation(outDir))) {
    throw new UsageError(`output ${outDir} is inside the package ${srcDir}; choose a directory outside it`, {
      out: outDir,
    });
  }
  await prepareOutDir(outDir);
  try {
    await copyTree(srcDir, outDir);
    const corruption = await chosen.apply(await PackageCopy.open(outDir, srcDir));
    return {
      dir: outDir,
      scenario: chosen.name,
      file: corruption.file,
      detail: corruption.detail,
      expectedCode: chosen.expectedCode,
      expectedPhase: chosen.expectedPhase,
    };
  } catch (error) {
    await emptyDir(outDir);
    throw error;
  }
}

async function requirePackage(srcDir: string): Promise<void> {
  try {
    if ((await stat(path.join(srcDir, MANIFEST_FILE))).isFile()) return;
  } catch {
    // reported below
  }
  throw new UsageError(`${srcDir} is not a package directory (no ${MANIFEST_FILE})`, { package: srcDir });
}

/** Leaves `dir` as it was handed over: empty. */
async function emptyDir(dir: string): Promise<void> {
  for (const entry of await readdir(dir)) await rm(path.join(dir, entry), { recursive: true, force: true });
}
