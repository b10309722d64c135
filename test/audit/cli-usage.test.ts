/** The audit commands' usage errors (exit 2), through the CLI in-process on an embedded database. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDED_ONLY, runCli, spawnCli } from '../support/cli.js';
import { openTestDatabase, type TestDatabase } from '../support/databases.js';
import { LIGHTHOUSE, removeTmpDirs, tmpDir } from './support.js';

afterAll(removeTmpDirs);

describe('audit commands refuse bad usage with exit 2', () => {
  let target: TestDatabase;
  let dir: string;
  const cli = (...args: string[]) => runCli(['--data-dir', target.dataDir ?? '', ...args], EMBEDDED_ONLY);
  beforeAll(async () => {
    target = await openTestDatabase('pglite');
    await target.db.close();
    dir = tmpDir('usage');
    expect((await cli('import', LIGHTHOUSE, '--campaign', 'u')).code).toBe(0);
    expect((await cli('checkpoint', '--campaign', 'u', '--out', join(dir, 'cp.json'))).code).toBe(0);
  });
  afterAll(async () => {
    await target?.drop();
  });

  it.each([
    [
      ['verify', '--public-key', 'k.pub'],
      'usage.invalid',
      '--public-key checks the signature of a checkpoint',
    ],
    [
      ['checkpoint', '--campaign', 'nobody'],
      'campaign.not_found',
      "campaign 'nobody' does not exist; the database holds 'u'",
    ],
    [
      ['export', '--campaign', 'nobody', '--out', 'x.ndjson'],
      'campaign.not_found',
      "campaign 'nobody' does not exist",
    ],
    [['verify', '--campaign', 'nobody'], 'campaign.not_found', "campaign 'nobody' does not exist"],
    [
      ['verify', '--campaign', 'u', '--metrics-file', 'NOWHERE'],
      'usage.invalid',
      '--metrics-file m.prom: its folder does not exist',
    ],
    [
      ['verify', '--campaign', 'nobody', '--chain-only'],
      'campaign.not_found',
      "campaign 'nobody' does not exist",
    ],
    [
      ['verify', '--against', 'missing.json'],
      'checkpoint.unreadable',
      '--against missing.json: cannot read it (ENOENT)',
    ],
    [
      ['verify', '--against', 'CP', '--campaign', 'other'],
      'usage.campaign_mismatch',
      "the checkpoint cp.json is for campaign 'u', not 'other'",
    ],
    [
      ['verify', '--against', 'NOTCP'],
      'checkpoint.invalid',
      'bad.json is not a checkpoint document: not JSON',
    ],
    [
      ['checkpoint', '--campaign', 'u', '--sign-key', 'NOTKEY'],
      'key.invalid',
      'bad.json is not a PEM private key',
    ],
    [
      ['checkpoint', '--campaign', 'u', '--trail', 'many'],
      'usage.invalid',
      "--trail must be a whole number from 0 to 1000000, not 'many'",
    ],
    // A misspelt campaign is not an empty one: no empty log, no digest of nothing.
    [
      ['log', '--campaign', 'nobody'],
      'campaign.not_found',
      "campaign 'nobody' does not exist; the database holds 'u'",
    ],
    [['digest', '--campaign', 'nobody'], 'campaign.not_found', "campaign 'nobody' does not exist"],
    // Limits are whole numbers: not silently all rows (a word, 0) nor a database error (a sign).
    [['log', '--campaign', 'u', '-n', 'ten'], 'usage.invalid', "--limit must be a whole number, not 'ten'"],
    [['log', '--campaign', 'u', '-n', '2.5'], 'usage.invalid', "--limit must be a whole number, not '2.5'"],
    [['runs', '-n', '-1'], 'usage.invalid', "--limit must be a whole number, not '-1'"],
    [['runs', '-n', 'all'], 'usage.invalid', "--limit must be a whole number, not 'all'"],
    [
      ['runs', '-n', '99999999999999999999'],
      'usage.invalid',
      "--limit is too large: '99999999999999999999' (at most 9007199254740991)",
    ],
    // An unset variable in a script, or a stray newline, must not create a campaign nobody can name.
    [['import', LIGHTHOUSE, '--campaign', ''], 'campaign.invalid_name', 'campaign name "" is empty'],
    [['import', LIGHTHOUSE, '--campaign', '  '], 'campaign.invalid_name', 'campaign name "  " is empty'],
    [
      ['import', LIGHTHOUSE, '--campaign', 'saltmarrow\n'],
      'campaign.invalid_name',
      'campaign name "saltmarrow\\n" holds a control character',
    ],
  ])('%j', async (args, code, message) => {
    writeFileSync(join(dir, 'bad.json'), 'nope');
    const resolved = args.map((a) =>
      a === 'CP'
        ? join(dir, 'cp.json')
        : a === 'NOTCP' || a === 'NOTKEY'
          ? join(dir, 'bad.json')
          : a === 'NOWHERE'
            ? join(dir, 'missing', 'm.prom')
            : a,
    );
    const run = await cli(...resolved, '--json');
    expect(run.code).toBe(2);
    expect(run.json).toMatchObject({
      outcome: 'error',
      error: { code, message: expect.stringContaining(message) },
    });
    expect(run.stdout + run.stderr).not.toContain(dir);
  });

  it("checks --campaign against a bundle's header before verifying it: the wrong file is a usage error", async () => {
    const bundle = join(dir, 'u.ndjson');
    expect((await cli('export', '--campaign', 'u', '--out', bundle)).code).toBe(0);
    const lines = readFileSync(bundle, 'utf8').split('\n');
    lines.splice(3, 0, 'not a record'); // a bundle that would fail its verification
    writeFileSync(bundle, lines.join('\n'));
    const run = await runCli(['verify', '--bundle', bundle, '--campaign', 'other', '--json']);
    expect(run.code).toBe(2);
    expect(run.json).toMatchObject({
      error: {
        code: 'usage.campaign_mismatch',
        message: "the bundle u.ndjson is for campaign 'u', not 'other'",
      },
    });
  });

  it('says when the database holds no campaign at all', async () => {
    const fresh = join(dir, 'fresh');
    expect((await runCli(['--data-dir', fresh, 'migrate'], EMBEDDED_ONLY)).code).toBe(0);
    const run = await runCli(['--data-dir', fresh, 'digest', '--campaign', 'u', '--json'], EMBEDDED_ONLY);
    expect(run.code).toBe(2);
    expect(run.json).toMatchObject({
      error: {
        code: 'campaign.not_found',
        message: "campaign 'u' does not exist; the database holds no campaign yet",
      },
    });
  });

  it.each([
    ['verify'],
    ['digest'],
    ['log'],
    ['runs'],
    ['campaigns'],
    ['checkpoint'],
    ['export', '--out', 'x.ndjson'],
  ])('%s on a data dir with no database says so and creates none there', async (...command) => {
    const mistyped = join(dir, 'mistyped');
    const run = await runCli(['--data-dir', mistyped, ...command, '--json'], EMBEDDED_ONLY);
    expect(run.code).toBe(2);
    expect(run.json).toMatchObject({
      error: { code: 'usage.no_database', data_dir: mistyped, message: expect.stringContaining(mistyped) },
    });
    expect(existsSync(mistyped)).toBe(false);
  });

  it('shows as many log rows and runs as -n asks for, none for 0', async () => {
    const all = await cli('log', '--campaign', 'u', '--json');
    const entries = all.json.entries as { sequence_no: number }[];
    expect(entries.length).toBeGreaterThan(3);
    const three = await cli('log', '--campaign', 'u', '-n', '3', '--json');
    expect(three.json.entries).toEqual(entries.slice(0, 3));
    expect((await cli('log', '--campaign', 'u', '-n', '0', '--json')).json.entries).toEqual([]);
    expect((await cli('runs', '-n', '0', '--json')).json.runs).toEqual([]);
    expect((await cli('runs', '-n', '1', '--json')).json.runs).toHaveLength(1);
  });

  it('fails the verification (exit 4), not the usage, of a campaign a checkpoint names and the database lacks', async () => {
    const elsewhere = await openTestDatabase('pglite');
    await elsewhere.db.close();
    try {
      const run = await runCli(
        ['--data-dir', elsewhere.dataDir ?? '', 'verify', '--against', join(dir, 'cp.json'), '--json'],
        EMBEDDED_ONLY,
      );
      expect(run.json).toMatchObject({
        ok: false,
        campaign: 'u',
        events: 0,
        problems: [
          expect.objectContaining({
            kind: 'checkpoint_missing',
            message: expect.stringMatching(/^the chain holds no events; the checkpoint of /),
          }),
        ],
      });
      expect(run.code).toBe(4);
    } finally {
      await elsewhere.drop();
    }
  });

  it('refuses an --out it cannot write before doing anything: no checkpoint recorded, no bundle streamed', async () => {
    const checkpoints = async () => {
      const bundle = join(dir, 'count.ndjson');
      const run = await cli('export', '--campaign', 'u', '--out', bundle, '--json');
      return (run.json.counts as { checkpoint: number }).checkpoint;
    };
    const before = await checkpoints();
    const nowhere = await cli(
      'checkpoint',
      '--campaign',
      'u',
      '--out',
      join(dir, 'missing', 'cp.json'),
      '--json',
    );
    expect(nowhere.code).toBe(2);
    expect(nowhere.json).toMatchObject({
      error: { code: 'usage.invalid', message: '--out cp.json: its folder does not exist' },
    });
    const onFolder = await cli('export', '--campaign', 'u', '--out', dir, '--json');
    expect(onFolder.code).toBe(2);
    expect(onFolder.json).toMatchObject({
      error: { code: 'usage.invalid', message: expect.stringContaining('is a folder') },
    });
    expect(nowhere.stdout + onFolder.stdout).not.toContain(dir);
    expect(await checkpoints()).toBe(before);
  });

  it('never overwrites a key', async () => {
    expect((await runCli(['keygen', '--out', join(dir, 'k')])).code).toBe(0);
    const again = await runCli(['keygen', '--out', join(dir, 'k'), '--json']);
    expect(again.code).toBe(2);
    expect(again.json).toMatchObject({
      error: { code: 'keygen.exists', message: 'k.key already exists; keygen never overwrites a key' },
    });
  });

  it('writes both halves of a key pair or neither', async () => {
    // Someone's public key is already there: no orphan private key is left behind, and nothing is overwritten.
    writeFileSync(join(dir, 'half.pub'), 'theirs');
    const refused = await runCli(['keygen', '--out', join(dir, 'half'), '--json']);
    expect(refused.code).toBe(2);
    expect(refused.json).toMatchObject({
      error: { code: 'keygen.exists', message: expect.stringContaining('half.pub') },
    });
    expect(existsSync(join(dir, 'half.key'))).toBe(false);
    expect(readFileSync(join(dir, 'half.pub'), 'utf8')).toBe('theirs');
    const nowhere = await runCli(['keygen', '--out', join(dir, 'missing', 'k'), '--json']);
    expect(nowhere.code).toBe(2);
    expect(nowhere.json).toMatchObject({
      error: { code: 'usage.invalid', message: '--out k.key: its folder does not exist' },
    });
    // A relative path is named as given (an absolute one by its base name only).
    const relative = await spawnCli(['keygen', '--out', 'missing/k', '--json'], { cwd: dir });
    expect(relative.code).toBe(2);
    expect(relative.json).toMatchObject({
      error: { code: 'usage.invalid', message: '--out missing/k.key: its folder does not exist' },
    });
    const notAFolder = await spawnCli(
      ['import', LIGHTHOUSE, '--data-dir', 'data', '--checkpoint-dir', 'half.pub', '--json'],
      { cwd: dir, env: EMBEDDED_ONLY },
    );
    expect(notAFolder.code).toBe(2);
    expect(notAFolder.json).toMatchObject({
      error: { code: 'usage.invalid', message: '--checkpoint-dir half.pub is not a directory' },
    });
  });
});
