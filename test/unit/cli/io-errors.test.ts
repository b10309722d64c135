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
      // The folder by its base name: messages never hold an absolute path.
      expect(run.stdout + run.stderr, args.join(' ')).not.toMatch(/'\/(proc|sys)\//);
    }
  }, 90_000);

  it('a file in a folder the system will not write in: io.error (EACCES) before anything is done, exit 3', async () => {
    const work = tempDir('io');
    const env = { ...EMBEDDED_ONLY, CHRONICLE_DATA_DIR: join(work, 'data') };
    const refused = async (args: string[]) => {
      const run = await spawnCli([...args, '--json'], { env, killAfterMs: KILL_AFTER_MS });
      expect(run.code, args.join(' ')).toBe(3);
      expect(run.json).toMatchObject({ outcome: 'error', error: { code: 'io.error', errno: 'EACCES' } });
      return run;
    };
    // Refused before the import: no campaign.
    await refused(['import', LIGHTHOUSE, '--metrics-file', '/sys/chronicle.prom']);
    await refused(['import', LIGHTHOUSE, '--checkpoint-dir', '/sys']);
    const none = await spawnCli(['campaigns', '--json'], { env });
    expect(none.code).toBe(2); // no database was even created
    expect((await spawnCli(['import', LIGHTHOUSE, '--json'], { env })).code).toBe(0);
    // Refused before the checkpoint is recorded, the bundle streamed, the key made.
    const checkpoint = await refused(['checkpoint', '--out', '/sys/chronicle-checkpoint.json']);
    expect(checkpoint.json.error).toMatchObject({
      message: '--out chronicle-checkpoint.json: cannot write in its folder (EACCES)',
      file: 'chronicle-checkpoint.json',
    });
    await refused(['export', '--out', '/sys/chronicle-bundle.jsonl']);
    await refused(['keygen', '--out', '/sys/chronicle-key']);
    const bundle = join(work, 'b.jsonl');
    const exported = await spawnCli(['export', '--out', bundle, '--json'], { env });
    expect(exported.json).toMatchObject({ counts: { event: 18, checkpoint: 0 } });
  }, 90_000);
});
