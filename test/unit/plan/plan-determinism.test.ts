/** Planning is deterministic: the same package gives the same plan from any working directory or path. */
import { cpSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ImportPlan } from '../../../src/index.js';
import { planImport } from '../../../src/index.js';
import { removeTempDirs, tempDir } from '../../support/temp-dirs.js';

afterAll(removeTempDirs);

const LIGHTHOUSE = new URL('../../../fixtures/packages/lighthouse', import.meta.url).pathname;
const SMALL_CAMPAIGN = new URL('../../../fixtures/conformance/small-campaign/package', import.meta.url)
  .pathname;

/** The whole plan as text: every field, every payload byte, every hash. */
function snapshot(plan: ImportPlan): string {
  return JSON.stringify(plan, (_key, value) =>
    value && typeof value === 'object' && value.type === 'Buffer'
      ? Buffer.from(value.data).toString('hex')
      : value,
  );
}

describe.each([
  ['lighthouse', LIGHTHOUSE],
  ['small-campaign', SMALL_CAMPAIGN],
])('planning %s', (_name, dir) => {
  it('gives the identical plan twice, from another working directory, and from a copy elsewhere', async () => {
    const first = snapshot(await planImport(dir));
    expect(snapshot(await planImport(dir))).toBe(first);

    const cwd = process.cwd();
    const elsewhere = tempDir('cwd');
    try {
      process.chdir(elsewhere);
      expect(snapshot(await planImport(relative(elsewhere, dir)))).toBe(first);
    } finally {
      process.chdir(cwd);
    }

    const copy = join(tempDir('copy'), 'renamed-package');
    cpSync(dir, copy, { recursive: true });
    expect(snapshot(await planImport(copy))).toBe(first);
  });

  it('holds one event per object plus the manifest and completion events', async () => {
    const plan = await planImport(dir);
    const counted = Object.values(plan.counts).reduce((a, b) => a + b, 0);
    expect(plan.objects).toHaveLength(counted);
    expect(plan.manifestEvent.eventType).toBe('seed.manifest.validated');
    expect(plan.completionEvent.eventType).toBe('seed.import.complete');
    const completion = JSON.parse(plan.completionEvent.payloadCanonical.toString('utf8'));
    expect(completion).toEqual({
      package_id: plan.packageId,
      manifest_hash: plan.manifestHash,
      entity_count: plan.counts.entities,
      edge_count: plan.counts.edges,
      tag_count: plan.counts.tags,
      affordance_count: plan.counts.affordances,
      chunk_count: plan.counts.chunks,
      state_digest: plan.stateDigest,
    });
  });
});
