/**
 * Output to a reader that stopped reading (`chronicle … | head -1`): the real CLI drops what it cannot print and
 * finishes its command with its own exit code, with no stack trace. It used to die of an unhandled EPIPE with
 * exit 1, the code of a rejected import, even after the import had committed.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, EMBEDDED_ONLY, REPO_ROOT, runCli } from '../../support/cli.js';
import { removeTempDirs, tempDir } from '../../support/temp-dirs.js';

afterAll(removeTempDirs);

const LIGHTHOUSE = join(REPO_ROOT, 'fixtures/packages/lighthouse');

/** Runs the CLI with its stdout a pipe whose reading end is closed before anything is written. */
function runWithStdoutClosed(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...EMBEDDED_ONLY, CHRONICLE_LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('a closed stdout', () => {
  it('--help still exits 0, without a stack trace', async () => {
    const run = await runWithStdoutClosed(['--help']);
    expect(run.stderr).not.toMatch(/EPIPE|at .*\.js:\d+/);
    expect(run.code).toBe(0);
  });

  it('an import still commits and exits 0; its rerun is a no-op', async () => {
    const dataDir = tempDir('closed-pipe');
    const run = await runWithStdoutClosed(['import', LIGHTHOUSE, '--data-dir', dataDir, '--json']);
    expect(run.stderr).not.toMatch(/EPIPE|at .*\.js:\d+/);
    expect(run.code).toBe(0);
    const again = await runCli(['import', LIGHTHOUSE, '--data-dir', dataDir, '--json'], EMBEDDED_ONLY);
    expect(again.json).toMatchObject({ outcome: 'noop', events_appended: 0 });
  });

  it('a rejected import still exits 1 with its error on stderr', async () => {
    const run = await runWithStdoutClosed(['import', tempDir('no-package'), '--data-dir', tempDir('db')]);
    expect(run.stderr).toContain('[manifest.not_found]');
    expect(run.stderr).not.toMatch(/EPIPE|at .*\.js:\d+/);
    expect(run.code).toBe(1);
  });
});
