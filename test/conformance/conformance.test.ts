/**
 * Every conformance case (fixtures/conformance, copied byte-exact from the shared corpus) gives the outcome the
 * reference gives: through `chronicle plan --json` (the real binary) and through an import on each backend.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPackage } from '../../src/index.js';
import { spawnCli } from '../support/cli.js';
import { backends, openTestDatabase, type TestDatabase } from '../support/databases.js';

const CASES_DIR = new URL('../../fixtures/conformance/', import.meta.url).pathname;

interface Expected {
  case: string;
  outcome: 'committed' | 'rejected';
  manifest_hash?: string;
  state_digest?: string;
  counts?: Record<string, number>;
  error?: { phase: string; code: string };
}

const cases: Expected[] = readdirSync(CASES_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => JSON.parse(readFileSync(join(CASES_DIR, entry.name, 'expected.json'), 'utf8')) as Expected)
  .sort((a, b) => (a.case < b.case ? -1 : 1));

const packageDir = (name: string) => join(CASES_DIR, name, 'package');

describe('conformance through `chronicle plan --json`', () => {
  it('covers the whole corpus', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)('$case', async (expected) => {
    const run = await spawnCli(['plan', packageDir(expected.case), '--json']);
    if (expected.outcome === 'committed') {
      expect(run.code).toBe(0);
      expect(run.json).toMatchObject({
        outcome: 'planned',
        manifest_hash: expected.manifest_hash,
        state_digest: expected.state_digest,
        counts: expected.counts,
      });
    } else {
      expect(run.code).toBe(1);
      expect(run.json).toMatchObject({
        outcome: 'rejected',
        error: { phase: expected.error?.phase, code: expected.error?.code },
      });
      if (expected.manifest_hash) {
        expect((run.json.error as Record<string, unknown>).manifest_hash).toBe(expected.manifest_hash);
      }
    }
  });
});

describe.each(backends())('conformance through import on %s', (backend) => {
  let target: TestDatabase;
  beforeAll(async () => {
    target = await openTestDatabase(backend);
  });
  afterAll(async () => {
    await target?.drop();
  });

  it.each(cases)('$case', async (expected) => {
    const result = await importPackage(target.db, packageDir(expected.case), { campaign: expected.case });
    if (expected.outcome === 'committed') {
      expect(result).toMatchObject({
        outcome: 'committed',
        manifestHash: expected.manifest_hash,
        stateDigest: expected.state_digest,
        counts: expected.counts,
      });
    } else {
      expect(result.outcome).toBe('rolled_back');
      expect(result.error).toMatchObject({ phase: expected.error?.phase, code: expected.error?.code });
      const events = await target.db.query(
        'SELECT 1 FROM events e JOIN campaigns c ON c.id = e.campaign_id WHERE c.slug = $1',
        [expected.case],
      );
      expect(events).toEqual([]);
    }
  });
});
