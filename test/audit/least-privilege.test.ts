/**
 * docs/sql/least-privilege.sql on PostgreSQL: the importer role imports (and checkpoints) through the real
 * CLI but cannot change or remove a row, nor switch the triggers off; the auditor role verifies and exports
 * but cannot write at all.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli } from '../support/cli.js';
import { pgTestDatabase, type TestDatabase } from '../support/databases.js';
import { LIGHTHOUSE, removeTmpDirs, tmpDir } from './support.js';

const SCRIPT = new URL('../../docs/sql/least-privilege.sql', import.meta.url);
const HAS_PG = Boolean(process.env.DATABASE_URL);
const PASSWORD = 'least-privilege-test';

function urlAs(url: string, role: string): string {
  const parsed = new URL(url);
  parsed.username = role;
  parsed.password = PASSWORD;
  return parsed.toString();
}

/** Runs one statement as `url`'s role; resolves to the SQLSTATE it failed with, or 'ok'. */
async function attempt(url: string, text: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  } finally {
    await client.end();
  }
}

const INSUFFICIENT_PRIVILEGE = '42501';

afterAll(removeTmpDirs);

describe.runIf(HAS_PG)('least-privilege roles on PostgreSQL', () => {
  let target: TestDatabase & { url: string };
  let importer: string;
  let auditor: string;
  beforeAll(async () => {
    target = await pgTestDatabase();
    await target.db.query(readFileSync(SCRIPT, 'utf8'));
    await target.db.query(`ALTER ROLE chronicle_importer PASSWORD '${PASSWORD}'`);
    await target.db.query(`ALTER ROLE chronicle_auditor PASSWORD '${PASSWORD}'`);
    importer = urlAs(target.url, 'chronicle_importer');
    auditor = urlAs(target.url, 'chronicle_auditor');
  });
  afterAll(async () => {
    await target?.drop();
  });

  const cli = (url: string, ...args: string[]) =>
    spawnCli(['--database-url', url, ...args], { env: { DATABASE_URL: '', CHRONICLE_DATABASE_URL: '' } });

  it('gives neither role superuser power nor ownership of a table', async () => {
    const roles = await target.db.query<{ rolname: string; rolsuper: boolean; rolbypassrls: boolean }>(
      `SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname IN ('chronicle_importer', 'chronicle_auditor') ORDER BY rolname`,
    );
    expect(roles).toEqual([
      { rolname: 'chronicle_auditor', rolsuper: false, rolbypassrls: false },
      { rolname: 'chronicle_importer', rolsuper: false, rolbypassrls: false },
    ]);
    const owned = await target.db.query(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner IN ('chronicle_importer', 'chronicle_auditor')`,
    );
    expect(owned).toEqual([]);
  });

  it('lets the importer import and checkpoint, and refuses it every way to change the ledger', async () => {
    const imported = await cli(importer, 'import', LIGHTHOUSE, '--campaign', 'lp', '--json');
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.json).toMatchObject({ outcome: 'committed', first_ordinal: 0, last_ordinal: 17 });
    const checkpoint = await cli(
      importer,
      'checkpoint',
      '--campaign',
      'lp',
      '--out',
      join(tmpDir('lp'), 'cp.json'),
      '--json',
    );
    expect(checkpoint.code).toBe(0);
    expect(checkpoint.json).toMatchObject({ ordinal: 17, recorded: true });

    for (const statement of [
      `UPDATE events SET payload_canonical = payload_canonical WHERE replay_ordinal = 3`,
      `DELETE FROM events WHERE replay_ordinal = 17`,
      `TRUNCATE events`,
      `UPDATE import_log SET file_hash = file_hash`,
      `DELETE FROM imports`,
      `DELETE FROM checkpoints`,
      `UPDATE entities SET payload = payload`,
      `DELETE FROM chunks`,
      `ALTER TABLE events DISABLE TRIGGER USER`,
      `ALTER TABLE events DISABLE TRIGGER events_append_only`,
      `SET session_replication_role = replica`,
      `CREATE TABLE events_copy (id int)`,
    ]) {
      expect([statement, await attempt(importer, statement)]).toEqual([statement, INSUFFICIENT_PRIVILEGE]);
    }
    // and the rows are as they were
    const verified = await cli(auditor, 'verify', '--campaign', 'lp', '--json');
    expect(verified.code).toBe(0);
    expect(verified.json).toMatchObject({ ok: true, events: 18, problems: [] });
  });

  it('shows the auditor an import whose process died, and the next import into its campaign records it', async () => {
    // The row a killed import leaves (its process, and so its lock, gone).
    await target.db.query(
      `INSERT INTO import_attempts (run_id, campaign, package_id, manifest_hash, pid, host, started_at)
       VALUES ('killed-run', 'lp-killed', '01JD3K8Q6V2M4T9XWBZC5REANX', $1, 4242, 'gone-host', '2026-03-01T08:00:00Z')`,
      ['a'.repeat(64)],
    );
    const seen = await cli(auditor, 'runs', '--campaign', 'lp-killed', '--json');
    expect(seen.code).toBe(0);
    expect(seen.json).toEqual({
      runs: [],
      in_progress: [],
      abandoned: [
        expect.objectContaining({ run_id: 'killed-run', pid: 4242, host: 'gone-host', import_id: null }),
      ],
    });
    const shown = await cli(auditor, 'runs', '--campaign', 'lp-killed');
    expect(shown.stdout).toContain('abandoned  lp-killed');
    expect(shown.stdout).toContain('process 4242 on gone-host is gone; not recorded yet');

    expect((await cli(importer, 'runs', '--campaign', 'lp-killed', '--json')).json).toEqual(seen.json);

    expect((await cli(importer, 'import', LIGHTHOUSE, '--campaign', 'lp-killed')).code).toBe(0);
    const recorded = await cli(auditor, 'runs', '--campaign', 'lp-killed', '--json');
    expect(recorded.json).toMatchObject({
      runs: [
        { run_id: 'killed-run', outcome: 'rolled_back', error_code: 'import.abandoned' },
        { outcome: 'committed' },
      ],
      in_progress: [],
      abandoned: [],
    });
  });

  it('lets the auditor verify, export and take unrecorded checkpoints, and nothing else', async () => {
    await cli(importer, 'import', LIGHTHOUSE, '--campaign', 'audited');
    const verified = await cli(auditor, 'verify', '--campaign', 'audited', '--json');
    expect(verified.code).toBe(0);
    expect(verified.json).toMatchObject({ ok: true, events: 18 });
    const bundle = join(tmpDir('auditor'), 'audited.ndjson');
    const exported = await cli(auditor, 'export', '--campaign', 'audited', '--out', bundle, '--json');
    expect(exported.code).toBe(0);
    expect(exported.json).toMatchObject({ counts: { event: 18, import: 1 } });

    const own = join(tmpDir('auditor-cp'), 'own.json');
    const taken = await cli(
      auditor,
      'checkpoint',
      '--campaign',
      'audited',
      '--no-record',
      '--out',
      own,
      '--json',
    );
    expect(taken.code).toBe(0);
    expect(taken.json).toMatchObject({ ordinal: 17, recorded: false });
    expect((await cli(auditor, 'verify', '--against', own, '--json')).json).toMatchObject({ ok: true });
    const recordedByAuditor = await cli(auditor, 'checkpoint', '--campaign', 'audited', '--json');
    expect(recordedByAuditor.code).toBe(3);
    expect(recordedByAuditor.json).toMatchObject({
      error: {
        code: 'db.permission_denied',
        sqlstate: '42501',
        message: expect.stringContaining('take one with --no-record'),
      },
    });

    const metricsFile = join(tmpDir('auditor-metrics'), 'import.prom');
    const refused = await cli(
      auditor,
      '--log-level',
      'error',
      'import',
      LIGHTHOUSE,
      '--campaign',
      'auditor-import',
      '--json',
      '--metrics-file',
      metricsFile,
    );
    expect(refused.code).toBe(3);
    // Neither its row nor its run record could be written: nothing is left for the next import, so it counts here.
    expect(refused.stderr).toContain('"left_for_next_import":false');
    expect(readFileSync(metricsFile, 'utf8')).toMatch(
      /chronicle_imports_total\{[^}]*outcome="rolled_back"[^}]*\} 1/,
    );
    for (const statement of [
      `INSERT INTO campaigns (slug) VALUES ('x')`,
      `UPDATE events SET event_type = event_type`,
      `DELETE FROM import_log`,
      `INSERT INTO checkpoints (campaign_id, ordinal, tip_hash, events, document) VALUES (1, 0, '', 1, '')`,
    ]) {
      expect([statement, await attempt(auditor, statement)]).toEqual([statement, INSUFFICIENT_PRIVILEGE]);
    }
  });
});
