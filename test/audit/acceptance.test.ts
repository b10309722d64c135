/**
 * The acceptance, as an auditor runs it with the real CLI: import two packages, keygen, a signed
 * checkpoint, a third import, verify --against (exit 0); a consistent tail rewrite by a superuser passes a
 * plain verify but verify --against exits 4 naming the first ordinal that differs from the checkpoint.
 * export + verify --bundle in a directory with no database gives the same verdicts, clean and tampered.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, spawnCli } from '../support/cli.js';
import { cliTarget, NO_DATABASE } from '../support/cli-target.js';
import { backends, superuserQuery } from '../support/databases.js';
import { ANNEX, campaignIdSql, LIGHTHOUSE, removeTmpDirs, rewriteTail, SMALL, tmpDir } from './support.js';

const C = 'acceptance';

afterAll(removeTmpDirs);

describe.each(backends())('the auditor acceptance on %s', (backend) => {
  const { cli, asSuperuser } = cliTarget(backend);
  let dir: string;
  beforeAll(() => {
    dir = tmpDir('auditor');
  });

  /** An auditor's machine: no database flags, no environment, an empty working directory. */
  const offline = async (...args: string[]): Promise<CliRun> => {
    const cwd = tmpDir('offline');
    const run = await spawnCli(args, { cwd, env: NO_DATABASE });
    expect(readdirSync(cwd)).toEqual([]);
    return run;
  };

  it('verifies against a signed checkpoint, then catches a consistent tail rewrite only with it', async () => {
    for (const pkg of [LIGHTHOUSE, ANNEX]) expect((await cli('import', pkg, '--campaign', C)).code).toBe(0);

    const keygen = await spawnCli(['keygen', '--out', join(dir, 'auditor'), '--json'], { env: NO_DATABASE });
    expect(keygen.code).toBe(0);
    expect(statSync(join(dir, 'auditor.key')).mode & 0o777).toBe(0o600);
    expect(existsSync(join(dir, 'auditor.pub'))).toBe(true);
    const keyId = String(keygen.json.key_id);
    expect(keyId).toMatch(/^[0-9a-f]{16}$/);

    const cp = join(dir, 'cp.json');
    const checkpoint = await cli(
      'checkpoint',
      '--campaign',
      C,
      '--sign-key',
      join(dir, 'auditor.key'),
      '--out',
      cp,
      '--json',
    );
    expect(checkpoint.code).toBe(0);
    expect(checkpoint.json).toMatchObject({
      campaign: C,
      ordinal: 21,
      events: 22,
      key_id: keyId,
      recorded: true,
    });

    // A checkpoint with a sparse trail (ordinals 0, 5, 13, 17, 19, 20, 21): it can only bracket a change.
    const sparse = join(dir, 'sparse.json');
    expect(
      (await cli('checkpoint', '--campaign', C, '--trail', '1', '--no-record', '--out', sparse)).code,
    ).toBe(0);

    expect((await cli('import', SMALL, '--campaign', C)).code).toBe(0);
    const pub = join(dir, 'auditor.pub');
    const metricsFile = join(dir, 'verify.prom');
    /** What the auditor runs before and after the tampering: the same command both times. */
    const verifyAgainstCheckpoint = () =>
      cli('verify', '--against', cp, '--public-key', pub, '--json', '--metrics-file', metricsFile);
    const clean = await verifyAgainstCheckpoint();
    expect(clean.code).toBe(0);
    expect(readFileSync(metricsFile, 'utf8')).toMatch(
      /^chronicle_verify_failures_total\{campaign="acceptance",command="verify"\} 0$/m,
    );
    expect(clean.json).toMatchObject({
      ok: true,
      campaign: C,
      against: { ordinal: 21, signature: 'valid', key_id: keyId, first_difference: null },
      problems: [],
    });

    /** Exports the campaign, then verifies the bundle against the checkpoint on a machine with no database. */
    const verifyExported = async (name: string): Promise<CliRun & { bundle: string }> => {
      const bundle = join(dir, name);
      expect((await cli('export', '--campaign', C, '--out', bundle)).code).toBe(0);
      const run = await offline('verify', '--bundle', bundle, '--against', cp, '--public-key', pub, '--json');
      return { ...run, bundle };
    };
    const cleanOffline = await verifyExported('clean.ndjson');
    expect(cleanOffline.code).toBe(0);
    expect(withoutBundle(cleanOffline.json)).toEqual(clean.json);

    // A superuser rewrites the tail from ordinal 19 (before the checkpoint's 21) and recomputes every hash.
    await asSuperuser((t) =>
      rewriteTail(t, C, 19, (ordinal, payload) =>
        ordinal === 19 ? payload.replace('"name":"', '"name":"Forged ') : null,
      ),
    );
    const fooled = await cli('verify', '--campaign', C, '--json');
    expect(fooled.code).toBe(0);
    expect(fooled.json).toMatchObject({ ok: true, problems: [] });

    const caught = await verifyAgainstCheckpoint();
    expect(caught.code).toBe(4);
    expect(readFileSync(metricsFile, 'utf8')).toMatch(
      /^chronicle_verify_failures_total\{campaign="acceptance",command="verify"\} 1$/m,
    );
    expect(caught.json).toMatchObject({
      ok: false,
      first_bad_ordinal: 19,
      against: { first_difference: 19, last_agreement: 18 },
    });
    expect(caught.json.problems).toEqual([
      expect.objectContaining({ ordinal: 19, kind: 'checkpoint_mismatch' }),
    ]);
    const human = await cli('verify', '--against', cp, '--public-key', pub);
    expect(human.code).toBe(4);
    expect(human.stdout).toContain('first ordinal that differs from the checkpoint: 19\n');
    const bracketed = await cli('verify', '--against', sparse);
    expect(bracketed.code).toBe(4);
    expect(bracketed.stdout).toContain(
      'first ordinal that differs from the checkpoint: between 18 and 19 (its trail holds no hash in between)',
    );

    const caughtOffline = await verifyExported('tampered.ndjson');
    expect(caughtOffline.code).toBe(4);
    expect(withoutBundle(caughtOffline.json)).toEqual(caught.json);
    const fooledOffline = await offline('verify', '--bundle', caughtOffline.bundle, '--json');
    expect(fooledOffline.code).toBe(0);
  }, 180_000); // a dozen CLI processes, each opening the embedded database: over a minute on a loaded machine

  it('gives the same verdict offline for a tampered payload, and refuses another key', async () => {
    const campaign = 'tampered';
    expect((await cli('import', LIGHTHOUSE, '--campaign', campaign)).code).toBe(0);
    const cp = join(dir, 'tampered-cp.json');
    expect(
      (await cli('checkpoint', '--campaign', campaign, '--sign-key', join(dir, 'auditor.key'), '--out', cp))
        .code,
    ).toBe(0);
    await asSuperuser((t) =>
      superuserQuery(
        t,
        `UPDATE events SET payload_canonical = convert_to(replace(convert_from(payload_canonical, 'UTF8'), 'Lamp', 'Lump'), 'UTF8')
          WHERE campaign_id = ${campaignIdSql(campaign)} AND replay_ordinal = 5`,
      ),
    );
    const online = await cli('verify', '--campaign', campaign, '--json');
    expect(online.code).toBe(4);
    expect(online.json).toMatchObject({ ok: false, first_bad_ordinal: 5 });
    expect(online.json.problems).toContainEqual(
      expect.objectContaining({ ordinal: 5, kind: 'payload_hash' }),
    );
    const bundle = join(dir, 'tampered.payload.ndjson');
    expect((await cli('export', '--campaign', campaign, '--out', bundle)).code).toBe(0);
    const offlineRun = await offline('verify', '--bundle', bundle, '--json');
    expect(offlineRun.code).toBe(4);
    expect(withoutBundle(offlineRun.json)).toEqual(online.json);

    const stranger = await spawnCli(['keygen', '--out', join(dir, 'stranger'), '--json'], {
      env: NO_DATABASE,
    });
    const refused = await offline(
      'verify',
      '--bundle',
      bundle,
      '--against',
      cp,
      '--public-key',
      join(dir, 'stranger.pub'),
      '--json',
    );
    expect(refused.code).toBe(4);
    expect(refused.json.problems).toContainEqual(
      expect.objectContaining({
        kind: 'checkpoint_signature',
        message: expect.stringContaining(`the public key given is ${String(stranger.json.key_id)}: refused`),
      }),
    );
  });

  it('writes a signed checkpoint after each commit with import --checkpoint-dir', async () => {
    const checkpoints = join(dir, 'checkpoints');
    const importSigned = (pkg: string) =>
      cli(
        'import',
        pkg,
        '--campaign',
        'auto',
        '--checkpoint-dir',
        checkpoints,
        '--checkpoint-key',
        join(dir, 'auditor.key'),
        '--json',
      );
    const first = await importSigned(LIGHTHOUSE);
    expect(first.code).toBe(0);
    expect(first.json).toMatchObject({ outcome: 'committed', checkpoint: 'auto-000000000017.json' });
    const rerun = await cli(
      'import',
      LIGHTHOUSE,
      '--campaign',
      'auto',
      '--checkpoint-dir',
      checkpoints,
      '--json',
    );
    expect(rerun.json).toMatchObject({ outcome: 'noop' });
    expect(rerun.json.checkpoint).toBeUndefined();
    const second = await importSigned(ANNEX);
    expect(second.json).toMatchObject({ outcome: 'committed', checkpoint: 'auto-000000000021.json' });
    expect(readdirSync(checkpoints).sort()).toEqual(['auto-000000000017.json', 'auto-000000000021.json']);
    for (const file of readdirSync(checkpoints)) {
      const verified = await cli(
        'verify',
        '--against',
        join(checkpoints, file),
        '--public-key',
        join(dir, 'auditor.pub'),
        '--json',
      );
      expect(verified.json).toMatchObject({ ok: true, against: { signature: 'valid' } });
    }
  });

  it('gives campaigns whose names write alike their own checkpoint files: none replaces another', async () => {
    const checkpoints = join(dir, 'shared-checkpoints');
    const campaigns = ['x/y z', 'x_y_z', 'Tide', 'tide'];
    const runs = [];
    for (const campaign of campaigns) {
      runs.push(await cli('import', LIGHTHOUSE, '-c', campaign, '--checkpoint-dir', checkpoints, '--json'));
    }

    const files = runs.map((run) => run.json.checkpoint as string);
    expect(runs.map((run) => run.code)).toEqual([0, 0, 0, 0]);
    expect(files).toEqual([
      'x_y_z~96ec5b3f-000000000017.json',
      'x_y_z-000000000017.json',
      `Tide~${createHash('sha256').update('Tide').digest('hex').slice(0, 8)}-000000000017.json`,
      'tide-000000000017.json',
    ]);
    // Distinct even where the file system ignores case.
    expect(new Set(files.map((file) => file.toLowerCase())).size).toBe(4);
    for (const [index, file] of files.entries()) {
      expect(JSON.parse(readFileSync(join(checkpoints, file), 'utf8'))).toMatchObject({
        campaign: campaigns[index],
      });
    }
  });

  it('reports a committed import whose checkpoint cannot be written, with exit 3', async () => {
    const checkpoints = join(dir, 'blocked-checkpoints');
    // a folder where the checkpoint file should go makes writing it fail after the commit
    mkdirSync(join(checkpoints, 'blocked-000000000017.json'), { recursive: true });
    const run = await cli(
      'import',
      LIGHTHOUSE,
      '--campaign',
      'blocked',
      '--checkpoint-dir',
      checkpoints,
      '--json',
    );
    expect(run.code).toBe(3);
    expect(run.json).toMatchObject({
      outcome: 'committed',
      last_ordinal: 17,
      checkpoint_error: 'EISDIR (rename)',
    });
    expect(run.stderr).toContain('the import is committed, but its checkpoint could not be written');
    const rerun = await cli('import', LIGHTHOUSE, '--campaign', 'blocked', '--json');
    expect(rerun.code).toBe(0);
    expect(rerun.json).toMatchObject({ outcome: 'noop' });
  });
});

function withoutBundle(json: Record<string, unknown>): Record<string, unknown> {
  const { bundle: _bundle, ...rest } = json;
  return rest;
}
