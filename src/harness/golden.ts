/**
 * Golden-outcome suites for QA: a folder of cases, each a `package/` folder beside an `expected.json` that says
 * what importing it into a fresh campaign gives (the format of the shared conformance corpus: `outcome`,
 * `manifest_hash`, `state_digest`, `counts`, or `error.phase` / `error.code`). Each package is planned, without
 * a database, and its outcome compared field by field with the expected one; `update` records the outcomes of
 * new and changed cases instead, keeping every other field of their expected.json (description, notes).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { compareCodePoints } from '../canonical/index.js';
import { PackageRejectedError, UsageError } from '../errors.js';
import { describeFsError } from '../package/resolve-path.js';
import { planImport } from '../plan/plan-import.js';

export const EXPECTED_FILE = 'expected.json';
const PACKAGE_FOLDER = 'package';

/** What a case's package gives, in expected.json's terms. */
export type GoldenOutcome =
  | {
      outcome: 'committed';
      manifest_hash: string;
      state_digest: string;
      counts: Record<string, number>;
    }
  | { outcome: 'rejected'; manifest_hash?: string; error: { phase: string; code: string } };

export const GOLDEN_STATUSES = ['ok', 'mismatch', 'recorded'] as const;
export type GoldenStatus = (typeof GOLDEN_STATUSES)[number];

export interface GoldenCase {
  name: string;
  /**
   * `ok`: as expected; `mismatch`: differs, or cannot be compared (no expected.json, one that is not a JSON
   * object, no package/ folder); `recorded`: written by `update`.
   */
  status: GoldenStatus;
  /** What differs, one line each (`state_digest: expected …, got …`), or why the case cannot be compared. */
  differences: string[];
  /** What the case's package gives; absent when it has no package/ folder. */
  actual?: GoldenOutcome;
}

export async function runGoldenSuite(dir: string, options: { update?: boolean } = {}): Promise<GoldenCase[]> {
  const results: GoldenCase[] = [];
  for (const name of caseNames(dir)) results.push(await runCase(path.join(dir, name), name, options));
  return results;
}

async function runCase(caseDir: string, name: string, options: { update?: boolean }): Promise<GoldenCase> {
  // A case folder found by its expected.json alone (package/ misnamed, say) fails: skipping it would let the
  // suite pass without it.
  if (!existsSync(path.join(caseDir, PACKAGE_FOLDER))) {
    return {
      name,
      status: 'mismatch',
      differences: [`no ${PACKAGE_FOLDER}/ folder beside ${EXPECTED_FILE}`],
    };
  }
  const actual = await outcomeOf(path.join(caseDir, PACKAGE_FOLDER));
  const expectedPath = path.join(caseDir, EXPECTED_FILE);
  const expected = existsSync(expectedPath) ? readExpected(expectedPath) : null;
  if (typeof expected === 'string') {
    // Not recorded over, even with --update: what the file held (notes, a merge to finish) would be lost.
    const why = options.update ? '; --update does not overwrite it: fix it or delete it' : '';
    return { name, status: 'mismatch', differences: [`${expected}${why}`], actual };
  }
  const differences = expected ? compare(expected, actual) : [`no ${EXPECTED_FILE} yet`];
  if (differences.length > 0 && options.update) {
    writeFileSync(expectedPath, `${JSON.stringify(recorded(name, expected, actual), null, 2)}\n`);
    return { name, status: 'recorded', differences, actual };
  }
  return { name, status: differences.length > 0 ? 'mismatch' : 'ok', differences, actual };
}

/** The case folders (holding a package/ folder or an expected.json), in code-point order; refuses a folder with none. */
function caseNames(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    throw new UsageError(`${path.basename(dir)}: not a folder of golden cases (it cannot be listed)`);
  }
  const names = entries.filter((name) => isCase(path.join(dir, name))).sort(compareCodePoints);
  if (names.length === 0)
    throw new UsageError(
      `${path.basename(dir)}: holds no golden case (a folder with a ${PACKAGE_FOLDER}/ folder and an ${EXPECTED_FILE})${hint(dir, entries)}`,
    );
  return names;
}

function isCase(folder: string): boolean {
  return existsSync(path.join(folder, PACKAGE_FOLDER)) || existsSync(path.join(folder, EXPECTED_FILE));
}

/**
 * Where the cases are when `dir` holds none: `dir` may be one case itself (give its parent), or a suite may be
 * one level down (../shared/conformance holds its cases in cases/). Named, not guessed at: nothing is run.
 */
function hint(dir: string, entries: string[]): string {
  if (isCase(dir)) {
    return `; it is a case itself: give the folder that holds it (${path.basename(path.resolve(dir, '..'))})`;
  }
  const below = entries
    .filter((name) =>
      readdirOrEmpty(path.join(dir, name)).some((inner) => isCase(path.join(dir, name, inner))),
    )
    .sort(compareCodePoints);
  return below.length > 0 ? `; try ${below.map((name) => `${path.basename(dir)}/${name}`).join(' or ')}` : '';
}

function readdirOrEmpty(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

async function outcomeOf(packageDir: string): Promise<GoldenOutcome> {
  try {
    const plan = await planImport(packageDir);
    return {
      outcome: 'committed',
      manifest_hash: plan.manifestHash,
      state_digest: plan.stateDigest,
      counts: { ...plan.counts },
    };
  } catch (error) {
    if (!(error instanceof PackageRejectedError)) throw error;
    const manifestHash = error.facts.manifest_hash;
    return {
      outcome: 'rejected',
      ...(typeof manifestHash === 'string' ? { manifest_hash: manifestHash } : {}),
      error: { phase: error.phase, code: error.code },
    };
  }
}

/** expected.json's object, or why there is none to compare with (a difference line). */
function readExpected(file: string): Record<string, unknown> | string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return `${EXPECTED_FILE}: cannot be read (${describeFsError(error)})`;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `${EXPECTED_FILE}: not valid JSON (${(error as Error).message})`;
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value))
    return value as Record<string, unknown>;
  return `${EXPECTED_FILE}: not a JSON object`;
}

/** The fields expected.json states that differ from the outcome (a field it leaves out is not checked). */
function compare(expected: Record<string, unknown>, actual: GoldenOutcome): string[] {
  const differences: string[] = [];
  const check = (field: string, want: unknown, got: unknown) => {
    if (want !== undefined && JSON.stringify(want) !== JSON.stringify(got)) {
      differences.push(`${field}: expected ${describe(want)}, got ${describe(got)}`);
    }
  };
  if (expected.outcome !== undefined && expected.outcome !== actual.outcome) {
    const why = actual.outcome === 'rejected' ? ` (${actual.error.code} in phase ${actual.error.phase})` : '';
    return [`outcome: expected ${describe(expected.outcome)}, got ${actual.outcome}${why}`];
  }
  check('manifest_hash', expected.manifest_hash, actual.manifest_hash);
  if (actual.outcome === 'committed') {
    check('state_digest', expected.state_digest, actual.state_digest);
    const counts = (expected.counts ?? {}) as Record<string, unknown>;
    for (const key of Object.keys(counts)) check(`counts.${key}`, counts[key], actual.counts[key]);
  } else {
    const error = (expected.error ?? {}) as Record<string, unknown>;
    check('error.phase', error.phase, actual.error.phase);
    check('error.code', error.code, actual.error.code);
  }
  return differences;
}

function describe(value: unknown): string {
  return value === undefined ? 'nothing' : typeof value === 'string' ? value : JSON.stringify(value);
}

/** expected.json with the outcome's fields replaced and the others (description, notes) kept. */
function recorded(
  name: string,
  expected: Record<string, unknown> | null,
  actual: GoldenOutcome,
): Record<string, unknown> {
  const {
    outcome: _outcome,
    manifest_hash: _manifestHash,
    state_digest: _stateDigest,
    counts: _counts,
    error: previousError,
    ...kept
  } = expected ?? {};
  const errorKept =
    actual.outcome === 'rejected' &&
    typeof previousError === 'object' &&
    previousError !== null &&
    (previousError as Record<string, unknown>).code === actual.error.code
      ? (previousError as Record<string, unknown>)
      : {};
  return {
    case: name,
    ...kept,
    ...(actual.outcome === 'rejected' ? { ...actual, error: { ...errorKept, ...actual.error } } : actual),
  };
}
