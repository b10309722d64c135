/**
 * Small builders for the lore tests: a PackageSnapshot made from in-memory files or from a package folder, and
 * the location of the read-only reference material (tests skip with a message when it is absent).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import {
  canonicalHashHex,
  compareCodePoints,
  type JsonObject,
  parseJson,
  sha256Hex,
} from '../../../src/canonical/index.js';
import { PackageRejectedError } from '../../../src/errors.js';
import type { PackageFile, PackageSnapshot, PlanOptions } from '../../../src/phases/types.js';

export const SHARED_DIR = fileURLToPath(new URL('../../../../shared/', import.meta.url));
export const LORE_FIXTURES_DIR = join(SHARED_DIR, 'reference/fixtures/tests/fixtures/import/');
export const SAMPLE_CAMPAIGN_DIR = join(SHARED_DIR, 'reference/fixtures/campaigns/sample-campaign/');
export const CONFORMANCE_CASES_DIR = join(SHARED_DIR, 'conformance/cases/');
export const HAS_LORE_FIXTURES = existsSync(LORE_FIXTURES_DIR);
export const HAS_CONFORMANCE = existsSync(CONFORMANCE_CASES_DIR);
export const skipMessage = (dir: string): string => `skipped: ${dir} not found (read-only shared material)`;

export const PACKAGE_ID = '01JAR9WYH41R8TFM6Z0X5E7QKJ';
export const MANIFEST_HASH = 'a'.repeat(64);
export const LENIENT: PlanOptions = { strict: false, embeddings: true };
export const STRICT: PlanOptions = { strict: true, embeddings: true };

export function packageFile(path: string, content: string | Buffer): PackageFile {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return { path, bytes, rawHash: sha256Hex(bytes) };
}

/** A snapshot with only lore files; `contentIndex` lists hashes by path. */
export function loreSnapshot(
  files: Record<string, string | Buffer>,
  contentIndex: Record<string, string> = {},
): PackageSnapshot {
  const lore = Object.entries(files).map(([path, content]) => packageFile(path, content));
  return {
    manifest: {
      raw: { package_id: PACKAGE_ID } as JsonObject,
      packageId: PACKAGE_ID,
      manifestHash: MANIFEST_HASH,
      schemaVersion: 1,
      rulesetVersion: '1.0.0',
      contentIndex: new Map(Object.entries(contentIndex)),
    },
    entities: [],
    edges: [],
    ontology: [],
    lore,
    fingerprints: lore.map(({ path, rawHash }) => ({ path, rawHash })),
  };
}

/** A lore file: front matter lines, then the body. */
export function loreFile(frontMatter: string, body = 'Some lore.\n'): string {
  return `---\n${frontMatter}\n---\n${body}`;
}

export const BASIC_FRONT_MATTER =
  'chunk_id: TEST-CHUNK\ntitle: A Test\naudience: Player\ntags:\n  - test:basic';

/** A snapshot of a package folder: its manifest and its `lore/**.md` files (what readPackage would give). */
export function snapshotFromDir(dir: string): PackageSnapshot {
  const raw = parseJson(readFileSync(join(dir, 'package.manifest.json'), 'utf8')) as JsonObject;
  const index = raw.content_index as JsonObject;
  const contentIndex = new Map(Object.entries(index).map(([path, hash]) => [path, String(hash)]));
  const loreDir = join(dir, 'lore');
  const lore = existsSync(loreDir)
    ? readdirSync(loreDir, { recursive: true, encoding: 'utf8' })
        .filter((name) => name.endsWith('.md'))
        .map((name) =>
          packageFile(
            relative(dir, join(loreDir, name)).split(sep).join('/'),
            readFileSync(join(loreDir, name)),
          ),
        )
        .sort((a, b) => compareCodePoints(a.path, b.path))
    : [];
  return {
    manifest: {
      raw,
      packageId: String(raw.package_id),
      manifestHash: canonicalHashHex(raw),
      schemaVersion: 1,
      rulesetVersion: String(raw.ruleset_version),
      contentIndex,
    },
    entities: [],
    edges: [],
    ontology: [],
    lore,
    fingerprints: lore.map(({ path, rawHash }) => ({ path, rawHash })),
  };
}

/** Runs `fn`, expects a PackageRejectedError of phase lore with `code`, and returns it. */
export function rejection(fn: () => unknown, code: string): PackageRejectedError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected ${code}`).toBeInstanceOf(PackageRejectedError);
  const error = caught as PackageRejectedError;
  expect({ phase: error.phase, code: error.code, message: error.message }).toMatchObject({
    phase: 'lore',
    code,
  });
  return error;
}

/** Matches a hash the NOTES print shortened as `8727000f…df37`. */
export function matchesShortHash(actual: string, short: string): boolean {
  const [head = '', tail = ''] = short.split('…');
  return /^[0-9a-f]{64}$/.test(actual) && actual.startsWith(head) && actual.endsWith(tail);
}
