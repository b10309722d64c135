/**
 * The command line as users run it (the real binary, child processes): the README flow on the embedded
 * database, JSON contracts and exit codes, configuration, tampering seen by `verify`, and concurrent workers.
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { generatePackage } from '../../src/index.js';
import { startCli } from '../resilience/support/child-cli.js';
import { BIN, spawnCli } from '../support/cli.js';
import { cliTarget } from '../support/cli-target.js';
import { pgTestDatabase, superuserQuery, type TestDatabase } from '../support/databases.js';
import { removeTempDirs, tempDir } from '../support/temp-dirs.js';

afterAll(removeTempDirs);

const FIXTURES = new URL('../../fixtures/packages/', import.meta.url).pathname;
const LIGHTHOUSE = `${FIXTURES}lighthouse`;
const ANNEX = `${FIXTURES}lighthouse-annex`;
const SMALL = new URL('../../fixtures/conformance/small-campaign/package', import.meta.url).pathname;
const TAMPERED = new URL('../../fixtures/conformance/package-hash-mismatch/package', import.meta.url)
  .pathname;
const HAS_PG = Boolean(process.env.DATABASE_URL);

describe('the README flow on the embedded database', () => {
  it('imports, verifies, and reports a rerun as noop, all with no server', async () => {
    const cwd = tempDir('readme');
    const env = { DATABASE_URL: '', CHRONICLE_DATABASE_URL: '' };
    const imported = await spawnCli(['import', LIGHTHOUSE], { cwd, env });
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/^committed: 18 events appended to campaign 'default' \(ordinals 0-17\)/);
    const verified = await spawnCli(['verify'], { cwd, env });
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/^verified: campaign 'default' holds 18 events; the chain is intact/);
    const again = await spawnCli(['import', LIGHTHOUSE, '--json'], { cwd, env });
    expect(again.code).toBe(0);
    expect(again.json).toMatchObject({
      outcome: 'noop',
      events_appended: 0,
      first_ordinal: 0,
      last_ordinal: 17,
    });
  });
});

describe('a signal after the command has said its outcome', () => {
  it('changes nothing: a committed import still exits 0', async () => {
    const cwd = tempDir('late-signal');
    const child = spawn(
      process.execPath,
      [BIN, '--data-dir', join(cwd, 'db'), 'import', LIGHTHOUSE, '--json'],
      {
        env: { ...process.env, DATABASE_URL: '', CHRONICLE_DATABASE_URL: '', CHRONICLE_LOG_LEVEL: 'silent' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (stdout.includes('"outcome"')) child.kill('SIGTERM');
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(JSON.parse(stdout)).toMatchObject({ outcome: 'committed' });
    expect(code).toBe(0);
  });
});

describe('features.importer false', () => {
  it('opens no database: none need be reachable, and no embedded one is created for it', async () => {
    const cwd = tempDir('disabled');
    const off = { CHRONICLE_FEATURES_IMPORTER: 'false', CHRONICLE_DATABASE_URL: '' };
    const unreachable = await spawnCli(['import', LIGHTHOUSE, '--json'], {
      cwd,
      env: { ...off, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
    });
    expect(unreachable.code, unreachable.stderr).toBe(0);
    expect(unreachable.json).toMatchObject({ outcome: 'disabled', campaign: 'default', events_appended: 0 });

    const embedded = await spawnCli(['--data-dir', join(cwd, 'db'), 'import', LIGHTHOUSE, '--json'], {
      cwd,
      env: { ...off, DATABASE_URL: '' },
    });
    expect(embedded.code, embedded.stderr).toBe(0);
    expect(embedded.json).toMatchObject({ outcome: 'disabled' });
    expect(existsSync(join(cwd, 'db'))).toBe(false);
  });
});

describe('progress on a terminal', () => {
  async function atTerminal(args: string[]): Promise<{ code: number; stderr: string }> {
    const stdout = new PassThrough();
    const stderr = Object.assign(new PassThrough(), { isTTY: true });
    let shown = '';
    stderr.on('data', (d) => {
      shown += d;
    });
    stdout.resume();
    const saved = {
      DATABASE_URL: process.env.DATABASE_URL,
      CHRONICLE_DATABASE_URL: process.env.CHRONICLE_DATABASE_URL,
    };
    process.env.DATABASE_URL = '';
    process.env.CHRONICLE_DATABASE_URL = '';
    try {
      const code = await main(['node', 'chronicle', '--log-level', 'silent', ...args], { stdout, stderr });
      return { code, stderr: shown };
    } finally {
      Object.assign(process.env, saved);
    }
  }

  it('says that the first import creates the embedded database (seconds with nothing else to show), then opens it', async () => {
    const dataDir = join(tempDir('progress'), 'db');
    const first = await atTerminal(['--data-dir', dataDir, 'import', LIGHTHOUSE]);
    expect(first.code).toBe(0);
    const creating = first.stderr.indexOf(
      `creating the embedded database in ${dataDir} (the first time only: a few seconds)…`,
    );
    expect(creating).toBeGreaterThanOrEqual(0);
    expect(first.stderr.indexOf('reading and checking the package files…')).toBeGreaterThan(creating);
    expect(first.stderr.endsWith('\r\x1b[K')).toBe(true); // the line cleared before the summary

    const again = await atTerminal(['--data-dir', dataDir, 'verify']);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`opening the embedded database in ${dataDir}…`);
    expect(again.stderr).not.toContain('creating');
  });
});

describe('chronicle runs, as a person reads it', () => {
  it("shows a failed run's reason on the line under it", async () => {
    const cwd = tempDir('runs');
    const env = { DATABASE_URL: '', CHRONICLE_DATABASE_URL: '' };
    expect((await spawnCli(['import', LIGHTHOUSE], { cwd, env })).code).toBe(0);
    expect((await spawnCli(['import', TAMPERED], { cwd, env })).code).toBe(1);

    const shown = await spawnCli(['runs'], { cwd, env });

    expect(shown.code).toBe(0);
    const lines = shown.stdout.split('\n');
    const failed = lines.findIndex((line) => line.includes('[package.hash_mismatch] manifest'));
    expect(failed).toBeGreaterThan(0);
    expect(lines[failed + 1]).toMatch(
      /^ {4}\S.*content hash mismatch \(content_index [0-9a-f]{64}, file [0-9a-f]{64}\)/,
    );
    expect(shown.stdout).toContain('2 runs');
  });
});

describe.each(HAS_PG ? (['pg', 'pglite'] as const) : (['pglite'] as const))(
  'CLI contracts on %s',
  (backend) => {
    const { cli, cliWith, asSuperuser } = cliTarget(backend);

    it('prints the documented JSON for import, noop, rejection, verify, digest, log and runs', async () => {
      const committed = await cli('import', SMALL, '--campaign', 'json', '--json');
      expect(committed.code).toBe(0);
      expect(Object.keys(committed.json).sort()).toEqual(
        [
          'outcome',
          'run_id',
          'campaign',
          'package_id',
          'manifest_hash',
          'state_digest',
          'counts',
          'events_appended',
          'objects_skipped',
          'first_ordinal',
          'last_ordinal',
          'tip_hash',
          'duration_ms',
        ].sort(),
      );
      expect(committed.json).toMatchObject({
        outcome: 'committed',
        campaign: 'json',
        state_digest: 'a101a185bc1910d0e04f5ef5b96ffe311774253936d2a27c4fad78252c7e9202',
        counts: { entities: 9, edges: 6, tags: 6, affordances: 6, chunks: 6 },
        events_appended: 35,
        first_ordinal: 0,
        last_ordinal: 34,
      });

      const noop = await cli('import', SMALL, '--campaign', 'json', '--json');
      expect(noop.json).toMatchObject({
        outcome: 'noop',
        tip_hash: committed.json.tip_hash,
        counts: committed.json.counts,
        events_appended: 0,
      });
      // Read back from the database, the counts still come in the plan's order (jsonb keeps its own).
      expect(JSON.stringify(noop.json.counts)).toBe(JSON.stringify(committed.json.counts));

      const rejected = await cli('import', TAMPERED, '--campaign', 'json', '--json');
      expect(rejected.code).toBe(1);
      expect(rejected.json).toMatchObject({
        outcome: 'rolled_back',
        error: { phase: 'manifest', code: 'package.hash_mismatch' },
      });

      const verify = await cli('verify', '--campaign', 'json', '--json');
      expect(verify.code).toBe(0);
      expect(verify.json).toEqual({
        ok: true,
        scope: 'full',
        campaign: 'json',
        events: 35,
        tip_hash: committed.json.tip_hash,
        problems: [],
      });
      const chainOnly = await cli('verify', '--campaign', 'json', '--chain-only', '--json');
      expect(chainOnly.code).toBe(0);
      expect(chainOnly.json).toEqual({ ...verify.json, scope: 'chain' });

      const digest = await cli('digest', '--campaign', 'json', '--json');
      expect(digest.json).toMatchObject({ state_digest: committed.json.state_digest, imports: 1 });

      const campaigns = await cli('campaigns', '--json');
      expect(campaigns.code).toBe(0);
      expect((campaigns.json.campaigns as { campaign: string }[]).find((c) => c.campaign === 'json')).toEqual(
        {
          campaign: 'json',
          events: 35,
          imports: 1,
          tip_hash: committed.json.tip_hash,
          last_import_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
        },
      );

      const log = await cli('log', '--campaign', 'json', '--json');
      expect((log.json.entries as unknown[]).length).toBe(35);

      const runs = await cli('runs', '--campaign', 'json', '--json');
      expect((runs.json.runs as { outcome: string }[]).map((r) => r.outcome)).toEqual([
        'committed',
        'noop',
        'rolled_back',
      ]);
    });

    it('prints log and runs as aligned columns whatever the widths of their values, and counts in words', async () => {
      const campaign = 'a-campaign-name-wider-than-a-column';
      expect((await cli('import', LIGHTHOUSE, '--campaign', campaign)).code).toBe(0);
      expect((await cli('import', TAMPERED, '--campaign', campaign)).code).toBe(1);

      const log = (await cli('log', '--campaign', campaign)).stdout.trimEnd().split('\n');
      const hashColumn = (log[0] ?? '').indexOf('file_hash');
      expect(log).toHaveLength(1 + 18);
      for (const line of log.slice(1)) expect(line.slice(hashColumn)).toMatch(/^[0-9a-f]{16}…$/);

      const runs = (await cli('runs', '--campaign', campaign)).stdout.trimEnd().split('\n');
      expect(runs.at(-1)).toBe('2 runs');
      expect(runs[0]).toMatch(/^started_at +outcome +campaign +package +error$/);
      // A failed run's reason follows it on a line of its own, indented.
      const rows = runs.slice(1, -1).filter((line) => !line.startsWith('    '));
      const packageColumns = rows.map((line) => line.search(/(01[0-9A-Z]{24}|-)( |$)/));
      expect(packageColumns).toEqual([runs[0]?.indexOf('package'), runs[0]?.indexOf('package')]);
      expect(runs.slice(1, -1).filter((line) => line.startsWith('    '))).toHaveLength(1);
      expect(runs[1]).toContain(campaign);
      expect((await cli('runs', '--campaign', campaign, '-n', '1')).stdout.trimEnd().split('\n').at(-1)).toBe(
        '1 run',
      );

      const listed = (await cli('campaigns')).stdout.trimEnd().split('\n');
      expect(listed[0]).toMatch(/^campaign +events +imports +last_import_at +tip_hash$/);
      expect(listed.find((line) => line.startsWith(campaign))).toMatch(
        new RegExp(`^${campaign} +18 +1 +\\S+Z +[0-9a-f]{16}…$`),
      );
      expect(listed.at(-1)).toMatch(/^\d+ campaigns?$/);

      const digest = (await cli('digest', '--campaign', campaign)).stdout;
      expect(digest).toMatch(/\(1 import, 17 components\)/);
      const exported = await cli(
        'export',
        '--campaign',
        campaign,
        '--out',
        join(tempDir('export'), 'b.jsonl'),
      );
      expect(exported.stdout).toMatch(
        /: 18 events, 1 import, 18 ImportLog rows, 16 projection rows, 0 checkpoints\n/,
      );
    });

    it('makes import a no-op with outcome disabled when features.importer is false', async () => {
      const cwd = tempDir('config');
      writeFileSync(join(cwd, 'chronicle.config.json'), JSON.stringify({ features: { importer: false } }));
      const run = await cliWith({ cwd }, 'import', LIGHTHOUSE, '--campaign', 'off', '--json');
      expect(run.code).toBe(0);
      expect(run.json).toMatchObject({ outcome: 'disabled', events_appended: 0 });
      const runs = await cli('runs', '--campaign', 'off', '--json');
      expect(runs.json.runs).toEqual([]);
    });

    it('refuses an invalid configuration with exit 2 and names the problem', async () => {
      const run = await cliWith({ env: { CHRONICLE_BATCH_SIZE: 'many' } }, 'verify');
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('CHRONICLE_BATCH_SIZE');
    });

    it('exits 4 naming the ordinal of a payload altered in the database, and of a deleted middle event', async () => {
      const imported = await cli('import', LIGHTHOUSE, '--campaign', 'tamper', '--json');
      expect(imported.code).toBe(0);
      await asSuperuser((target) =>
        superuserQuery(
          target,
          `UPDATE events SET payload_canonical = convert_to(replace(convert_from(payload_canonical, 'UTF8'), 'Lamp', 'Lump'), 'UTF8')
          WHERE replay_ordinal = 5 AND campaign_id = (SELECT id FROM campaigns WHERE slug = 'tamper')`,
        ),
      );
      const altered = await cli('verify', '--campaign', 'tamper', '--json');
      expect(altered.code).toBe(4);
      expect(altered.json).toMatchObject({ ok: false, first_bad_ordinal: 5 });
      expect(altered.json.problems).toContainEqual(
        expect.objectContaining({ ordinal: 5, kind: 'payload_hash' }),
      );
      // Without --json the verdict is the output too (verify > report.txt keeps it), with the exit code 4.
      const text = await cli('verify', '--campaign', 'tamper');
      expect(text.code).toBe(4);
      expect(text.stdout).toMatch(
        /^verification FAILED for campaign 'tamper': \d+ problems?, first at ordinal 5\n/,
      );
      expect(text.stdout).toContain('  ordinal 5  payload_hash  ');
      expect(text.stderr).not.toContain('verification FAILED');

      await asSuperuser((target) =>
        superuserQuery(
          target,
          `DELETE FROM events WHERE replay_ordinal IN (5, 9) AND campaign_id = (SELECT id FROM campaigns WHERE slug = 'tamper')`,
        ),
      );
      const deleted = await cli('verify', '--campaign', 'tamper', '--json');
      expect(deleted.code).toBe(4);
      expect(deleted.json).toMatchObject({ ok: false, first_bad_ordinal: 5 });
      expect(deleted.json.problems).toContainEqual(
        expect.objectContaining({ ordinal: 9, kind: 'missing_events' }),
      );
    });
  },
);

describe.runIf(HAS_PG)('concurrent workers on PostgreSQL', () => {
  let target: TestDatabase & { url: string };
  beforeAll(async () => {
    target = await pgTestDatabase();
  });
  afterAll(async () => {
    await target?.drop();
  });
  const cli = (...args: string[]) =>
    spawnCli(['--database-url', target.url, ...args], { env: { DATABASE_URL: '' } });

  it('two packages into one campaign at once both commit on one gap-free chain', async () => {
    const [a, b] = await Promise.all([
      cli('import', LIGHTHOUSE, '--campaign', 'race', '--json'),
      cli('import', SMALL, '--campaign', 'race', '--json'),
    ]);
    expect([a?.json.outcome, b?.json.outcome]).toEqual(['committed', 'committed']);
    const ranges = [a, b]
      .map((r) => [Number(r?.json.first_ordinal), Number(r?.json.last_ordinal)] as const)
      .sort((x, y) => x[0] - y[0]);
    expect(ranges[0]?.[0]).toBe(0);
    expect(ranges[1]?.[0]).toBe((ranges[0]?.[1] ?? 0) + 1);
    const verify = await cli('verify', '--campaign', 'race', '--json');
    expect(verify.json).toMatchObject({ ok: true, events: 18 + 35 });
  });

  it('an import that waits longer than lock_timeout for its campaign says which, and writes nothing', async () => {
    const holder = await target.db.reserve();
    try {
      await holder.query(`SELECT pg_advisory_lock(hashtextextended('chronicle.campaign:held', 0))::text`);
      // The flag wins over the environment (which alone would outlast the test).
      const run = await spawnCli(
        [
          '--database-url',
          target.url,
          'import',
          LIGHTHOUSE,
          '--campaign',
          'held',
          '--lock-timeout',
          '300ms',
          '--json',
        ],
        {
          env: { DATABASE_URL: '', CHRONICLE_LOCK_TIMEOUT: '60min' },
        },
      );
      expect(run.code).toBe(3);
      expect(run.json).toMatchObject({
        outcome: 'rolled_back',
        events_appended: 0,
        error: {
          code: 'db.lock_timeout',
          campaign: 'held',
          lock_timeout: '300ms',
          message: expect.stringContaining("campaign 'held' is locked by another import: waited 300ms"),
        },
      });
    } finally {
      holder.release();
    }
    const [campaigns] = await target.db.query<{ n: string }>(
      "SELECT count(*) AS n FROM campaigns WHERE slug = 'held'",
    );
    expect(campaigns?.n).toBe('0');
  });

  it('SIGTERM stops an import waiting for its campaign lock at once: rolled back, exit 143', async () => {
    const holder = await target.db.reserve();
    try {
      await holder.query(`SELECT pg_advisory_lock(hashtextextended('chronicle.campaign:waiting', 0))::text`);
      // A lock_timeout far beyond the test's own timeout: only the signal can end this wait in time.
      const run = startCli(
        ['--database-url', target.url, 'import', LIGHTHOUSE, '--campaign', 'waiting', '--json'],
        {
          env: { DATABASE_URL: '', CHRONICLE_LOCK_TIMEOUT: '60min' },
        },
      );
      for (;;) {
        const [waiting] = await target.db.query<{ n: string }>(
          "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
        );
        if (waiting?.n !== '0') break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      run.child.kill('SIGTERM');
      const stopped = await run.done;
      expect(stopped.code).toBe(143);
      expect(JSON.parse(stopped.stdout)).toMatchObject({
        outcome: 'rolled_back',
        error: { code: 'import.interrupted', signal: 'SIGTERM' },
      });
    } finally {
      holder.release();
    }
  });

  it('refuses a lock_timeout of 0, which PostgreSQL would take for no limit at all', async () => {
    const run = await spawnCli(
      ['--database-url', target.url, 'import', LIGHTHOUSE, '--campaign', 'zero', '--json'],
      {
        env: { DATABASE_URL: '', CHRONICLE_LOCK_TIMEOUT: '0s' },
      },
    );
    expect(run.code).toBe(2);
    expect(run.json).toMatchObject({
      error: { code: 'config.invalid', message: expect.stringContaining('lock_timeout') },
    });
    const flagged = await spawnCli(
      [
        '--database-url',
        target.url,
        'import',
        LIGHTHOUSE,
        '--campaign',
        'zero',
        '--lock-timeout',
        '0s',
        '--json',
      ],
      { env: { DATABASE_URL: '' } },
    );
    expect(flagged.code).toBe(2);
    expect(flagged.json).toMatchObject({
      error: { code: 'config.invalid', source: '--lock-timeout' },
    });
  });

  it('the same package twice at once: one committed, one noop', async () => {
    const results = await Promise.all([
      cli('import', ANNEX, '--campaign', 'twice', '--json'),
      cli('import', ANNEX, '--campaign', 'twice', '--json'),
    ]);
    expect(results.map((r) => r.json.outcome).sort()).toEqual(['committed', 'noop']);
    expect(results[0]?.json.tip_hash).toBe(results[1]?.json.tip_hash);
    const verify = await cli('verify', '--campaign', 'twice', '--json');
    expect(verify.json).toMatchObject({ ok: true, events: 5 });
  });
});

describe.runIf(HAS_PG)('a database URL naming a Unix socket', () => {
  let target: TestDatabase & { url: string };
  let socketDir: string;
  let port: string;
  let database: string;
  let user: string;
  beforeAll(async () => {
    target = await pgTestDatabase();
    const [settings] = await target.db.query<{ dir: string; port: string }>(
      "SELECT split_part(current_setting('unix_socket_directories'), ',', 1) AS dir, current_setting('port') AS port",
    );
    socketDir = settings?.dir.trim() ?? '';
    port = settings?.port ?? '';
    const url = new URL(target.url);
    database = url.pathname.slice(1);
    user = url.username;
  });
  afterAll(async () => {
    await target?.drop();
  });
  const cli = (databaseUrl: string, ...args: string[]) =>
    spawnCli(['--database-url', databaseUrl, ...args], { env: { DATABASE_URL: '' } });

  it('imports and verifies through the socket, in either form libpq takes', async () => {
    expect(socketDir).toMatch(/^\//);
    const queryForm = `postgres://${user}@/${database}?host=${encodeURIComponent(socketDir)}&port=${port}`;
    const imported = await cli(queryForm, 'import', LIGHTHOUSE, '--campaign', 'socket', '--json');
    expect(imported.stderr).toBe('');
    expect(imported.json).toMatchObject({ outcome: 'committed', events_appended: 18 });
    const hostForm = `postgresql://${user}@${encodeURIComponent(socketDir)}:${port}/${database}`;
    const verified = await cli(hostForm, 'verify', '--campaign', 'socket', '--json');
    expect(verified.json).toMatchObject({ ok: true, events: 18 });
  });

  it('a socket directory with no server gives db.connect naming the socket, exit 3 (so the URL is not read as localhost)', async () => {
    const missing = join(tempDir('no-socket'), 'run');
    const run = await cli(`postgres://${user}@/${database}?host=${missing}&port=${port}`, 'verify', '--json');
    expect(run.code).toBe(3);
    expect(run.json).toMatchObject({
      error: { code: 'db.connect', message: expect.stringContaining(`${missing}/.s.PGSQL.${port}`) },
    });
  });
});

describe.runIf(HAS_PG)('a planning thread out of memory, on PostgreSQL', () => {
  let target: TestDatabase & { url: string };
  let big: string;
  beforeAll(async () => {
    target = await pgTestDatabase();
    // Enough files for the planning thread, and more than a 30 MB heap holds while it plans (measured: the planning
    // thread runs out with 20-40 MB; with 16 MB the importing thread runs out first, with 48 MB the import commits).
    big = join(tempDir('oom'), 'package');
    await generatePackage({ objects: 60_000, seed: 5, outDir: big });
  });
  afterAll(async () => {
    await target?.drop();
  });
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    spawnCli(['--database-url', target.url, ...args], { env: { DATABASE_URL: '', ...env } });

  // (On PGlite the database engine shares the importing thread's heap: that thread runs out first, and Node ends
  // the process, as it does for any thread but a worker.)
  it('is reported as such, with what to change, and nothing is written; with the advice the import commits', async () => {
    const starved = await cli(['import', big, '--campaign', 'oom', '--json'], {
      NODE_OPTIONS: '--max-old-space-size=30',
    });
    expect(starved.code).toBe(3);
    expect(starved.json).toMatchObject({
      outcome: 'rolled_back',
      events_appended: 0,
      error: {
        code: 'internal.out_of_memory',
        message: expect.stringContaining('NODE_OPTIONS=--max-old-space-size=4096'),
      },
    });
    const runs = await cli(['runs', '--campaign', 'oom', '--json']);
    expect(runs.json.runs).toEqual([
      expect.objectContaining({ outcome: 'rolled_back', error_code: 'internal.out_of_memory' }),
    ]);
    const campaigns = await cli(['campaigns', '--json']);
    expect(campaigns.json.campaigns).not.toContainEqual(expect.objectContaining({ campaign: 'oom' }));

    const retried = await cli(['import', big, '--campaign', 'oom', '--json']);
    expect(retried.json).toMatchObject({ outcome: 'committed', events_appended: 60_002 });
  });
});
