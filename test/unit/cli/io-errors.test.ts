/**
 * The file system refusing a path the user gave (a folder that cannot be made, a file that cannot be written) is
 * `io.error` with its errno and system call, exit 3, at once: not `internal.error` (a bug), not `db.error` (EPERM
 * looks like a SQLSTATE), and never a process spinning at full CPU (Node's recursive mkdir under /proc).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EMBEDDED_ONLY, REPO_ROOT, spawnCli } from '../../support/cli.js';
import { removeTempDirs, tempDir } from '../../support/temp-dirs.js';

afterAll(removeTempDirs);

const LIGHTHOUSE = join(REPO_ROOT, 'fixtures/packages/lighthouse');
const KILL_AFTER_MS = 20_000;
const linuxPseudoFileSystems =
  process.platform === 'linux' && existsSync('/proc/self') && existsSync('/sys/kernel');

describe.skipIf(!linuxPseudoFileSystems)('a path the file system refuses (Linux /proc and /sys)', () => {
  it('a folder that cannot be made: io.error with its errno and mkdir, exit 3, without hanging', async () => {
    const cases = [
      [
        'harness',
        'generate',
        '--objects',
        '20',
        '--seed',
        '1',
        '--out',
        '/proc/chronicle-nope/pkg',
        '--json',
      ],
      ['harness', 'generate', '--objects', '20', '--seed', '1', '--out', '/sys/chronicle-nope', '--json'],
      ['import', LIGHTHOUSE, '--data-dir', '/proc/chronicle-nope', '--json'],
    ];
    for (const args of cases) {
      const run = await spawnCli(args, { env: EMBEDDED_ONLY, killAfterMs: KILL_AFTER_MS });
      expect(run.code, args.join(' ')).toBe(3);
      expect(run.json).toMatchObject({
        outcome: 'error',
        error: {
          code: 'io.error',
          errno: expect.stringMatching(/^(ENOENT|EPERM|EACCES)$/),
          syscall: 'mkdir',
        },
      });
    }
  }, 90_000);

  it('a file that cannot be written (export, keygen): io.error with EACCES and open, exit 3', async () => {
    const dataDir = join(tempDir('io'), 'data');
    const env = { ...EMBEDDED_ONLY, CHRONICLE_DATA_DIR: dataDir };
    expect((await spawnCli(['import', LIGHTHOUSE, '--json'], { env })).code).toBe(0);
    const run = await spawnCli(['export', '--out', '/sys/chronicle-bundle.jsonl', '--json'], {
      env,
      killAfterMs: KILL_AFTER_MS,
    });
    expect(run.code).toBe(3);
    expect(run.json).toMatchObject({
      outcome: 'error',
      error: { code: 'io.error', errno: 'EACCES', syscall: 'open' },
    });
    const keygen = await spawnCli(['keygen', '--out', '/sys/chronicle-key', '--json'], {
      killAfterMs: KILL_AFTER_MS,
    });
    expect(keygen.code).toBe(3);
    expect(keygen.json).toMatchObject({ error: { code: 'io.error', errno: 'EACCES', syscall: 'open' } });
  }, 60_000);
});
