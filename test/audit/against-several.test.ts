/**
 * `verify --against` with every checkpoint the auditor kept, in one pass. A rewrite made after an early
 * checkpoint and before a later one is described by the later one as the chain: only the early one catches
 * it. With several documents the problems name the checkpoint they concern, `--json` lists each one under
 * `against_all`, and checkpoints of different campaigns are refused (exit 2).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliTarget } from '../support/cli-target.js';
import { backends } from '../support/databases.js';
import { ANNEX, LIGHTHOUSE, LIGHTHOUSE_LAST, removeTmpDirs, rewriteTail, tmpDir } from './support.js';

const C = 'kept';

afterAll(removeTmpDirs);

describe.each(backends())('verify against several checkpoints on %s', (backend) => {
  const { cli, asSuperuser } = cliTarget(backend);
  let dir: string;
  beforeAll(() => {
    dir = tmpDir('kept');
  });

  const checkpoint = async (name: string): Promise<string> => {
    const file = join(dir, name);
    expect((await cli('checkpoint', '--campaign', C, '--out', file)).code).toBe(0);
    return file;
  };

  it('catches a rewrite that only an earlier checkpoint saw, naming that checkpoint', async () => {
    expect((await cli('import', LIGHTHOUSE, '--campaign', C)).code).toBe(0);
    const early = await checkpoint('early.json');
    expect((await cli('import', ANNEX, '--campaign', C)).code).toBe(0);
    // A consistent rewrite of ordinal 5 (which the early checkpoint saw), then a checkpoint of the result.
    await asSuperuser((t) =>
      rewriteTail(t, C, 5, (ordinal, payload) =>
        ordinal === 5 ? payload.replace('"name":"', '"name":"Forged ') : null,
      ),
    );
    const late = await checkpoint('late.json');

    const lateOnly = await cli('verify', '--against', late, '--json');
    expect(lateOnly.code).toBe(0);
    expect(lateOnly.json).not.toHaveProperty('against_all');

    const both = await cli('verify', '--against', early, late, '--json');
    expect(both.code).toBe(4);
    const [earlyOutcome] = both.json.against_all as {
      first_difference: number;
      last_agreement: number | null;
    }[];
    const firstDifference = earlyOutcome?.first_difference ?? -1;
    const lastAgreement = earlyOutcome?.last_agreement ?? null;
    expect(firstDifference).toBeGreaterThanOrEqual(5);
    expect(firstDifference).toBeLessThanOrEqual(LIGHTHOUSE_LAST);
    expect(both.json).toMatchObject({
      ok: false,
      campaign: C,
      // the newest checkpoint, as with one --against
      against: { ordinal: 21, first_difference: null },
      against_all: [
        { file: 'early.json', ordinal: LIGHTHOUSE_LAST, truncated: false },
        { file: 'late.json', ordinal: 21, first_difference: null },
      ],
    });
    const problems = both.json.problems as { kind: string; message: string }[];
    expect(problems.length).toBeGreaterThan(0);
    for (const problem of problems) {
      expect(problem).toMatchObject({
        kind: 'checkpoint_mismatch',
        message: expect.stringMatching(/^checkpoint early\.json: /),
      });
    }

    // The same, repeated as separate flags, in the human output.
    const human = await cli('verify', '--against', late, '--against', early);
    expect(human.code).toBe(4);
    // Exact only when the checkpoint holds the hash just before it; else the bracket its trail allows.
    expect(human.stdout).toContain(
      `first ordinal that differs from checkpoint early.json: ${
        lastAgreement === firstDifference - 1
          ? `${firstDifference}\n`
          : lastAgreement === null
            ? `${firstDifference} or earlier`
            : `between ${lastAgreement + 1} and ${firstDifference} (its trail holds no hash in between)`
      }`,
    );
    expect(human.stdout).toMatch(/checkpoint late\.json: ordinal 21 of /);
  });

  it('refuses checkpoints of different campaigns (exit 2)', async () => {
    const early = join(dir, 'early.json');
    const elsewhere = join(dir, 'elsewhere.json');
    writeFileSync(
      elsewhere,
      readFileSync(early, 'utf8').replace(`"campaign": "${C}"`, '"campaign": "elsewhere"'),
    );
    const run = await cli('verify', '--against', early, elsewhere, '--json');
    expect(run.code).toBe(2);
    expect(run.json).toMatchObject({
      error: {
        code: 'usage.campaign_mismatch',
        message: `the checkpoints early.json and elsewhere.json are for campaigns '${C}' and 'elsewhere': verify one campaign at a time`,
      },
    });
  });
});
