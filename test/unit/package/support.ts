/**
 * Writes small packages into temporary folders for the package-reading tests, and locates the read-only
 * reference material (tests that need it skip with a message when it is absent).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { sha256Hex } from '../../../src/canonical/index.js';
import { PackageRejectedError } from '../../../src/errors.js';
import type { PlanOptions } from '../../../src/phases/types.js';

export const IMPORT_FIXTURES_DIR = fileURLToPath(
  new URL('../../../../shared/reference/fixtures/tests/fixtures/import/', import.meta.url),
);
export const HAS_IMPORT_FIXTURES = existsSync(IMPORT_FIXTURES_DIR);
export const SKIP_FIXTURES = `skipped: reference fixtures not found at ${IMPORT_FIXTURES_DIR}`;

export const PACKAGE_ID = '01JAR9WYH41R8TFM6Z0X5E7QKJ';
export const LENIENT: PlanOptions = { strict: false, embeddings: true };
export const STRICT: PlanOptions = { strict: true, embeddings: true };

export function baseManifest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    package_id: PACKAGE_ID,
    schema_version: 1,
    engine_contract_range: { min: '1.0.0', max: '1.0.0' },
    dependencies: [],
    content_index: {},
    ruleset_version: '1.0.0',
    ...overrides,
  };
}

export interface PackageSpec {
  /** Manifest fields (merged over baseManifest) or the manifest's exact text; `null` writes no manifest. */
  manifest?: Record<string, unknown> | string | null;
  files?: Record<string, string | Buffer>;
  /** Files whose raw hash goes into content_index (when `manifest` is an object without content_index). */
  listed?: string[];
}

const created: string[] = [];

/** A fresh temporary folder (removed by `removeTempDirs`). */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'chronicle-pkg-'));
  created.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** Writes a package into `<temp>/pkg` and returns that folder. */
export async function writePackage(spec: PackageSpec = {}, root?: string): Promise<string> {
  const dir = join(root ?? (await tempDir()), 'pkg');
  await mkdir(dir, { recursive: true });
  const files = spec.files ?? {};
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  if (spec.manifest !== null) {
    const text =
      typeof spec.manifest === 'string'
        ? spec.manifest
        : JSON.stringify(
            baseManifest({ content_index: indexOf(files, spec.listed ?? []), ...(spec.manifest ?? {}) }),
            null,
            2,
          );
    await writeFile(join(dir, 'package.manifest.json'), text);
  }
  return dir;
}

export function indexOf(
  files: Record<string, string | Buffer>,
  listed: readonly string[],
): Record<string, string> {
  const index: Record<string, string> = {};
  for (const path of listed) index[path] = sha256Hex(Buffer.from(files[path] ?? ''));
  return index;
}

/** Asserts a PackageRejectedError with this phase and code; returns it for further checks. */
export async function expectRejection(
  promise: Promise<unknown>,
  phase: string,
  code: string,
): Promise<PackageRejectedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PackageRejectedError);
  const rejection = error as PackageRejectedError;
  expect({ phase: rejection.phase, code: rejection.code }).toEqual({ phase, code });
  return rejection;
}

/** The same for a synchronous call (the phases). */
export function expectRejectionSync(run: () => unknown, phase: string, code: string): PackageRejectedError {
  let error: unknown;
  try {
    run();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(PackageRejectedError);
  const rejection = error as PackageRejectedError;
  expect({ phase: rejection.phase, code: rejection.code, message: rejection.message }).toMatchObject({
    phase,
    code,
  });
  return rejection;
}
