/**
 * The embedded database's disk fills up mid-import: PGlite loses the system's ENOSPC and answers every statement
 * with `cannot drop active portal` from then on. The user must read that the disk is full (io.error, ENOSPC, exit
 * 3), lose nothing, and import normally once there is space. Needs a small file system of its own: a tmpfs
 * mounted for the test (root with CAP_SYS_ADMIN, as CI runs); skipped, saying why, where mounting is refused.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePackage } from '../../src/harness/generate-package.js';
import { LIGHTHOUSE } from '../audit/support.js';
import { EMBEDDED_ONLY, spawnCli } from '../support/cli.js';

const root = mkdtempSync(join(tmpdir(), 'chronicle-disk-full-'));
const mountPoint = join(root, 'small-disk');

/** Mounts a tmpfs of `size` (or resizes it); the reason it cannot, if it cannot. */
function mountTmpfs(size: string, remount = false): string | null {
  try {
    execFileSync('mkdir', ['-p', mountPoint]);
    execFileSync(
      'mount',
      ['-t', 'tmpfs', '-o', `${remount ? 'remount,' : ''}size=${size}`, 'tmpfs', mountPoint],
      {
        stdio: 'pipe',
      },
    );
    return null;
  } catch (error) {
    return error instanceof Error ? (error.message.split('\n')[0] ?? 'mount failed') : String(error);
  }
}

const refused = process.platform === 'linux' ? mountTmpfs('64m') : 'not Linux';
if (refused) console.warn(`embedded-disk-full.test.ts skipped: cannot mount a tmpfs here (${refused})`);

afterAll(() => {
  if (!refused) execFileSync('umount', [mountPoint]);
  rmSync(root, { recursive: true, force: true });
});

describe.skipIf(refused !== null)('the embedded database on a disk that fills up mid-import', () => {
  const dataDir = join(mountPoint, 'chronicle');
  const big = join(root, 'big-package');
  beforeAll(async () => {
    // ~28 MB of files whose import needs far more than what the 64 MiB disk has left after the schema (~40 MB).
    await generatePackage({ objects: 20_000, seed: 7, outDir: big });
    const migrated = await spawnCli(['--data-dir', dataDir, 'migrate'], { env: EMBEDDED_ONLY });
    expect(migrated.code, migrated.stderr).toBe(0);
  }, 120_000);

  it('says the disk is full (io.error, ENOSPC, exit 3), keeps the ledger, and imports once there is space', {
    timeout: 180_000,
  }, async () => {
    const full = await spawnCli(['--data-dir', dataDir, 'import', big, '--json'], { env: EMBEDDED_ONLY });

    expect(full.code, full.stderr).toBe(3);
    expect(full.json).toMatchObject({
      outcome: 'rolled_back',
      error: {
        code: 'io.error',
        errno: 'ENOSPC',
        message: expect.stringContaining('no space left on the disk'),
      },
    });

    expect(mountTmpfs('512m', true)).toBeNull();
    const next = await spawnCli(['--data-dir', dataDir, 'import', LIGHTHOUSE, '--json'], {
      env: EMBEDDED_ONLY,
    });
    expect(next.code, next.stderr).toBe(0);
    expect(next.json).toMatchObject({ outcome: 'committed', first_ordinal: 0 });
    const verified = await spawnCli(['--data-dir', dataDir, 'verify', '--json'], { env: EMBEDDED_ONLY });
    expect(verified.json).toMatchObject({ ok: true, events: 18 });
    const runs = await spawnCli(['--data-dir', dataDir, 'runs', '--json'], { env: EMBEDDED_ONLY });
    expect((runs.json as { runs: { outcome: string }[] }).runs.map((run) => run.outcome)).toEqual([
      'rolled_back',
      'committed',
    ]);
  });
});
