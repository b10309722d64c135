/** Our own golden packages keep their checked-in digests (fixtures/packages/expected.json). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planImport } from '../../../src/index.js';

const DIR = new URL('../../../fixtures/packages/', import.meta.url).pathname;
const expected = JSON.parse(readFileSync(`${DIR}expected.json`, 'utf8')) as Record<
  string,
  { manifest_hash: string; state_digest: string; counts: Record<string, number>; events: number }
>;

describe('golden fixture packages', () => {
  it.each(Object.entries(expected))('%s plans to its checked-in digest', async (name, golden) => {
    const plan = await planImport(`${DIR}${name}`, { strict: true });
    expect({
      manifest_hash: plan.manifestHash,
      state_digest: plan.stateDigest,
      counts: plan.counts,
      events: plan.objects.length + 2,
    }).toEqual(golden);
  });
});
