/**
 * A verification stopped by Ctrl-C or SIGTERM concludes nothing and says so, as an import or an export does:
 * `verify.interrupted`, exit 130 (SIGINT), the JSON error with `--json`; the library stops at the next page of
 * events when its signal is aborted, on the database and from a bundle.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  exportBundle,
  InterruptedError,
  openDatabase,
  verifyBundle,
  verifyCampaign,
} from '../../src/index.js';
import { EMBEDDED_ONLY, runCli } from '../support/cli.js';
import { LIGHTHOUSE, removeTmpDirs, tmpDir } from './support.js';

afterAll(removeTmpDirs);

function abortedBySigint(): AbortSignal {
  const controller = new AbortController();
  controller.abort(new InterruptedError('SIGINT', 'verify'));
  return controller.signal;
}

describe('an interrupted verification', () => {
  const dataDir = tmpDir('interrupted');

  it('concludes nothing in the library, on the database and from a bundle', async () => {
    expect((await runCli(['import', LIGHTHOUSE, '--data-dir', dataDir], EMBEDDED_ONLY)).code).toBe(0);
    const db = await openDatabase({ dataDir });
    const bundle = join(tmpDir('interrupted-bundle'), 'b.ndjson');
    try {
      await exportBundle(db, 'default', bundle);
      const stopped = verifyCampaign(db, 'default', { signal: abortedBySigint() });
      await expect(stopped).rejects.toThrow(InterruptedError);
      await expect(stopped).rejects.toMatchObject({
        code: 'verify.interrupted',
        facts: { signal: 'SIGINT' },
      });
      // the session is usable afterwards: the snapshot's transaction was ended
      expect((await verifyCampaign(db, 'default')).ok).toBe(true);
    } finally {
      await db.close();
    }
    await expect(verifyBundle(bundle, { signal: abortedBySigint() })).rejects.toMatchObject({
      code: 'verify.interrupted',
    });
  });

  it('through the CLI: the first SIGINT stops it with verify.interrupted and exit 130', async () => {
    const before = new Set(process.listeners('SIGINT'));
    const running = runCli(['verify', '--data-dir', dataDir, '--json'], EMBEDDED_ONLY);
    // The command listens once it starts; its handler is called directly (a real signal would reach the test
    // runner's own handlers too). The database opens after that, so the first page of events sees the stop.
    let handler: ((signal: NodeJS.Signals) => void) | undefined;
    while (!handler) {
      handler = process.listeners('SIGINT').find((listener) => !before.has(listener));
      if (!handler) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    handler('SIGINT');
    const run = await running;
    expect(run.code).toBe(130);
    expect(run.json).toMatchObject({
      outcome: 'error',
      error: {
        code: 'verify.interrupted',
        signal: 'SIGINT',
        message: 'interrupted by SIGINT before the verification finished: nothing was concluded',
      },
    });
    expect(run.stderr).toContain('chronicle: SIGINT: stopping the verification');
    expect(process.listeners('SIGINT').filter((listener) => !before.has(listener))).toEqual([]);
  });
});
