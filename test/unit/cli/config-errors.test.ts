/**
 * Configuration mistakes are usage errors (exit 2) that say what is wrong, and name the configuration file as the
 * user knows it, never by an absolute path. So are command lines the option parser refuses, in JSON too.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, spawnCli } from '../../support/cli.js';
import { removeTempDirs, tempDir } from '../../support/temp-dirs.js';

afterAll(removeTempDirs);

const NO_DATABASE = { DATABASE_URL: '', CHRONICLE_DATABASE_URL: '' };

describe('configuration errors', () => {
  it('refuses an unknown --log-level with exit 2, listing the levels', async () => {
    const run = await spawnCli(['--log-level', 'loud', 'runs'], { env: NO_DATABASE, cwd: tempDir('cwd') });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("argument 'loud' is invalid");
    expect(run.stderr).toContain('fatal, error, warn, info, debug, trace, silent');
  });

  it.each([
    [['plan', '--json'], "missing required argument 'package-dir'"],
    [['import', 'pkg', '--bogus', '--json'], "unknown option '--bogus'"],
    [['--log-level', 'loud', 'campaigns', '--json'], "argument 'loud' is invalid"],
  ])(
    'a command line the parser refuses (%j) still gives --json its one object on stdout',
    async (args, message) => {
      const run = await spawnCli(args, { env: NO_DATABASE, cwd: tempDir('cwd') });
      expect(run.code).toBe(2);
      expect(JSON.parse(run.stdout)).toEqual({
        outcome: 'error',
        error: { code: 'usage.invalid', message: expect.stringContaining(message) },
      });
      expect(run.stderr).toContain(message);
    },
  );

  it.each([
    ['chronicle.config.yaml', 'log_level: [\n', 'cannot read configuration chronicle.config.yaml: '],
    [
      'chronicle.config.json',
      '{"batch_size": 0}',
      'invalid configuration in chronicle.config.json: /batch_size',
    ],
  ])('names a broken %s found in the working directory by its name', async (name, text, message) => {
    const cwd = tempDir('config');
    writeFileSync(join(cwd, name), text);
    const run = await spawnCli(['runs', '--json'], { env: NO_DATABASE, cwd });
    expect(run.code).toBe(2);
    expect(run.json).toMatchObject({
      error: { code: 'config.invalid', message: expect.stringContaining(message) },
    });
    expect(run.stdout + run.stderr).not.toContain(cwd);
  });

  it('names a broken --config file as it was given', async () => {
    const cwd = tempDir('config');
    writeFileSync(join(cwd, 'team.yaml'), 'log_level: [\n');
    const run = await spawnCli(['--config', 'team.yaml', 'runs'], { env: NO_DATABASE, cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('[config.invalid] cannot read configuration team.yaml: ');
    expect(run.stderr).not.toContain(cwd);
  });

  it('refuses a lock timeout longer than PostgreSQL takes, from a flag or a file, before anything runs', async () => {
    const cwd = tempDir('config');
    writeFileSync(join(cwd, 'chronicle.config.yaml'), 'lock_timeout: 2147484s\n');
    const flag = await spawnCli(['import', 'nowhere', '--lock-timeout', '100000min', '--json'], {
      env: NO_DATABASE,
      cwd: tempDir('cwd'),
    });
    const file = await spawnCli(['runs', '--json'], { env: NO_DATABASE, cwd });

    expect([flag.code, file.code]).toEqual([2, 2]);
    expect(flag.json).toMatchObject({
      error: {
        code: 'config.invalid',
        message: expect.stringContaining('/lock_timeout must be at most 35791min (2147483647ms'),
      },
    });
    expect(file.json).toMatchObject({
      error: { code: 'config.invalid', message: expect.stringContaining('not 2147484s') },
    });
  });

  it('names an absolute --config by its base name, missing or unreadable', async () => {
    const cwd = tempDir('config');
    const missing = await spawnCli(['--config', join(cwd, 'prod.json'), 'runs'], { env: NO_DATABASE, cwd });
    mkdirSync(join(cwd, 'conf.d.yaml'));
    const folder = await spawnCli(['--config', join(cwd, 'conf.d.yaml'), 'runs'], { env: NO_DATABASE, cwd });
    expect([missing.code, folder.code]).toEqual([2, 2]);
    expect(missing.stderr).toContain('[config.not_found] configuration file not found: prod.json');
    expect(folder.stderr).toContain('[config.invalid] cannot read configuration conf.d.yaml: EISDIR');
    expect(missing.stderr + folder.stderr).not.toContain(cwd);
  });

  it('takes as the default campaign any name -c takes, and refuses at import what -c refuses', async () => {
    const cwd = tempDir('config');
    const lighthouse = join(REPO_ROOT, 'fixtures/packages/lighthouse');
    writeFileSync(join(cwd, 'chronicle.config.json'), '{"campaign": "Salt Marrow/2"}');
    const committed = await spawnCli(['import', lighthouse, '--json'], { env: NO_DATABASE, cwd });
    expect(committed.code).toBe(0);
    expect(committed.json).toMatchObject({ outcome: 'committed', campaign: 'Salt Marrow/2' });
    writeFileSync(join(cwd, 'chronicle.config.json'), '{"campaign": "a\\tb"}');
    const refused = await spawnCli(['import', lighthouse, '--json'], { env: NO_DATABASE, cwd });
    expect(refused.code).toBe(2);
    expect(refused.json).toMatchObject({ error: { code: 'campaign.invalid_name' } });
  }, 60_000);
});
