/**
 * The counters move exactly as they should for each outcome (committed, noop, rolled back per phase and code,
 * disabled, idempotent skips), events are counted by type, durations are observed once per attempt and once per
 * completed phase; and a one-shot CLI run exports them: --metrics-file (Prometheus text) and --pushgateway
 * (an HTTP PUT to job "chronicle", checked against a local HTTP server that records the request).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  armFaults,
  type FaultSpec,
  importPackage,
  METRIC_NAMES,
  Metrics,
  planImport,
} from '../../src/index.js';
import { backends, openTestDatabase, type TestDatabase } from '../support/databases.js';
import { runChild } from './support/child-cli.js';
import { type CliDatabase, cliDatabase } from './support/cli-database.js';
import { runRecords } from './support/ledger.js';
import { ANNEX_PACKAGE, BASE_PACKAGE, generateAttempt, type Scratch, scratch } from './support/packages.js';

const WRITE_PHASES = ['manifest', 'entity', 'edge', 'ontology', 'lore', 'finalization'] as const;

/** A counter (or a histogram's `_count`) as `label=value,…` → value; zero-valued series are left out. */
async function series(metrics: Metrics, name: string): Promise<Record<string, number>> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`metric ${name} is not registered`);
  const values = (await metric.get()).values as {
    metricName?: string;
    labels: Record<string, unknown>;
    value: number;
  }[];
  const out: Record<string, number> = {};
  for (const value of values) {
    if (value.metricName !== undefined && value.metricName !== `${name}_count`) continue;
    if (value.value === 0) continue;
    const key = Object.entries(value.labels)
      .filter(([label]) => label !== 'le')
      .map(([label, v]) => `${label}=${String(v)}`)
      .join(',');
    out[key] = value.value;
  }
  return out;
}

async function histogramSum(metrics: Metrics, name: string, labels: string): Promise<number> {
  const values = ((await metrics.registry.getSingleMetric(name)?.get())?.values ?? []) as {
    metricName?: string;
    labels: Record<string, unknown>;
    value: number;
  }[];
  const sum = values.find(
    (v) =>
      v.metricName === `${name}_sum` &&
      Object.entries(v.labels)
        .map(([k, x]) => `${k}=${String(x)}`)
        .join(',') === labels,
  );
  return sum?.value ?? Number.NaN;
}

/** Every Chronicle metric of a registry, for "exactly these moved" assertions. */
async function everything(metrics: Metrics): Promise<Record<string, Record<string, number>>> {
  const all: Record<string, Record<string, number>> = {};
  for (const name of Object.values(METRIC_NAMES)) {
    const moved = await series(metrics, name);
    if (Object.keys(moved).length > 0) all[name] = moved;
  }
  return all;
}

describe.each(backends())('metrics on %s', (backend) => {
  let target: TestDatabase;
  let work: Scratch;
  let attempt: string;
  let caseNumber = 0;

  async function campaignWithBase(): Promise<string> {
    caseNumber += 1;
    const campaign = `metrics-${caseNumber}`;
    await importPackage(target.db, BASE_PACKAGE, { campaign });
    return campaign;
  }

  beforeAll(async () => {
    target = await openTestDatabase(backend);
    work = scratch(`metrics-${backend}`);
    attempt = (await generateAttempt(work)).dir;
  });
  afterAll(async () => {
    await target?.drop();
    work?.cleanup();
  });

  it('committed: one import, its events by type, one duration, one duration per phase', async () => {
    const campaign = await campaignWithBase();
    const metrics = new Metrics();
    const result = await importPackage(target.db, attempt, { campaign, metrics });
    const counts = (await planImport(attempt)).counts;

    expect(result.outcome).toBe('committed');
    expect(await everything(metrics)).toEqual({
      chronicle_imports_total: { 'outcome=committed': 1 },
      chronicle_events_appended_total: {
        'event_type=seed.manifest.validated': 1,
        'event_type=seed.entity_created': counts.entities,
        'event_type=seed.edge_created': counts.edges,
        'event_type=seed.tag_registered': counts.tags,
        'event_type=seed.affordance_registered': counts.affordances,
        'event_type=seed.content_chunk_ingested': counts.chunks,
        'event_type=seed.import.complete': 1,
      },
      chronicle_import_duration_seconds: { 'outcome=committed': 1 },
      chronicle_import_phase_duration_seconds: Object.fromEntries(WRITE_PHASES.map((p) => [`phase=${p}`, 1])),
    });
    expect(
      await histogramSum(metrics, METRIC_NAMES.importDurationSeconds, 'outcome=committed'),
    ).toBeGreaterThan(0);
  });

  it('noop: counted as a noop and as idempotent, no events, no phase ran', async () => {
    const campaign = await campaignWithBase();
    const metrics = new Metrics();
    expect((await importPackage(target.db, BASE_PACKAGE, { campaign, metrics })).outcome).toBe('noop');
    expect(await everything(metrics)).toEqual({
      chronicle_imports_total: { 'outcome=noop': 1 },
      chronicle_import_idempotent_total: { '': 1 },
      chronicle_import_duration_seconds: { 'outcome=noop': 1 },
    });
  });

  it('objects already present are counted as skipped, by phase, and get no event', async () => {
    const campaign = await campaignWithBase();
    const metrics = new Metrics();
    const annex = await importPackage(target.db, ANNEX_PACKAGE, { campaign, metrics });
    expect(annex).toMatchObject({ outcome: 'committed', objectsSkipped: 1 });
    expect(await everything(metrics)).toEqual({
      chronicle_imports_total: { 'outcome=committed': 1 },
      chronicle_objects_skipped_total: { 'phase=entity': 1 },
      chronicle_events_appended_total: {
        'event_type=seed.manifest.validated': 1,
        'event_type=seed.entity_created': 1,
        'event_type=seed.edge_created': 1,
        'event_type=seed.import.complete': 1,
      },
      chronicle_import_duration_seconds: { 'outcome=committed': 1 },
      chronicle_import_phase_duration_seconds: Object.fromEntries(WRITE_PHASES.map((p) => [`phase=${p}`, 1])),
    });
  });

  it.each(WRITE_PHASES)(
    'rolled back before phase %s: one rollback labelled with it, only earlier phases timed',
    async (phase) => {
      const campaign = await campaignWithBase();
      const metrics = new Metrics();
      const fault: FaultSpec = { point: `before-phase:${phase}`, kind: 'throw' };
      const result = await importPackage(target.db, attempt, {
        campaign,
        metrics,
        faults: armFaults([fault]),
      });
      expect(result.outcome).toBe('rolled_back');
      const earlier = WRITE_PHASES.slice(0, WRITE_PHASES.indexOf(phase));
      expect(await everything(metrics)).toEqual({
        chronicle_imports_total: { 'outcome=rolled_back': 1 },
        chronicle_import_rollback_total: { [`phase=${phase},code=fault.injected`]: 1 },
        chronicle_import_duration_seconds: { 'outcome=rolled_back': 1 },
        ...(earlier.length > 0
          ? {
              chronicle_import_phase_duration_seconds: Object.fromEntries(
                earlier.map((p) => [`phase=${p}`, 1]),
              ),
            }
          : {}),
      });
    },
  );

  it('a package rejected before any write is a rollback with its own phase and code', async () => {
    const metrics = new Metrics();
    const result = await importPackage(target.db, work.path('no-such-package'), {
      campaign: 'metrics-missing',
      metrics,
    });
    expect(result.error?.code).toBe('manifest.not_found');
    expect(await everything(metrics)).toEqual({
      chronicle_imports_total: { 'outcome=rolled_back': 1 },
      chronicle_import_rollback_total: { 'phase=manifest,code=manifest.not_found': 1 },
      chronicle_import_duration_seconds: { 'outcome=rolled_back': 1 },
    });
  });

  it('disabled: counted as disabled and nothing else', async () => {
    const metrics = new Metrics();
    const result = await importPackage(target.db, attempt, {
      campaign: 'metrics-off',
      metrics,
      enabled: false,
    });
    expect(result.outcome).toBe('disabled');
    expect(await everything(metrics)).toEqual({ chronicle_imports_total: { 'outcome=disabled': 1 } });
  });

  it('one registry across attempts accumulates: rolled_back, committed, noop', async () => {
    const campaign = await campaignWithBase();
    const metrics = new Metrics();
    const faults = armFaults([{ point: 'after-events:8', kind: 'db-error' }]);
    await importPackage(target.db, attempt, { campaign, metrics, faults });
    await importPackage(target.db, attempt, { campaign, metrics });
    await importPackage(target.db, attempt, { campaign, metrics });
    expect(await series(metrics, METRIC_NAMES.importsTotal)).toEqual({
      'outcome=rolled_back': 1,
      'outcome=committed': 1,
      'outcome=noop': 1,
    });
    expect(await series(metrics, METRIC_NAMES.importRollbackTotal)).toEqual({
      'phase=entity,code=fault.injected': 1,
    });
    expect(await series(metrics, METRIC_NAMES.importIdempotentTotal)).toEqual({ '': 1 });
    expect(await series(metrics, METRIC_NAMES.importDurationSeconds)).toEqual({
      'outcome=rolled_back': 1,
      'outcome=committed': 1,
      'outcome=noop': 1,
    });
  });
});

interface RecordedRequest {
  method: string;
  url: string;
  contentType: string;
  body: string;
}

/** A stand-in Pushgateway on 127.0.0.1 that records each request and answers with `status`. */
async function fakePushgateway(
  status: number,
): Promise<{ url: string; requests: RecordedRequest[]; server: Server }> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        contentType: String(req.headers['content-type'] ?? ''),
        body,
      });
      res.statusCode = status;
      res.end(status < 400 ? '' : 'refused by the test');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, server };
}

describe('exporting the metrics of a CLI run', () => {
  let target: CliDatabase;
  let work: Scratch;
  const servers: Server[] = [];
  const chronicle = (args: string[]) => runChild([...target.args, ...args], { env: target.env });

  beforeAll(async () => {
    target = await cliDatabase(backends()[0] ?? 'pglite');
    work = scratch('metrics-cli');
  });
  afterAll(async () => {
    for (const server of servers) server.close();
    await target?.drop();
    work?.cleanup();
  });

  it('--pushgateway PUTs the registry to /metrics/job/chronicle/campaign/<slug>/command/import; verify to its own group', {
    timeout: 60_000,
  }, async () => {
    const gateway = await fakePushgateway(200);
    servers.push(gateway.server);
    const run = await chronicle([
      'import',
      BASE_PACKAGE,
      '--campaign',
      'pushed',
      '--json',
      '--pushgateway',
      gateway.url,
    ]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'committed' });
    expect(gateway.requests.map((r) => [r.method, r.url])).toEqual([
      ['PUT', '/metrics/job/chronicle/campaign/pushed/command/import'],
    ]);
    const body = gateway.requests[0]?.body ?? '';
    expect(body).toContain('chronicle_imports_total{outcome="committed"} 1');
    expect(body).toContain('chronicle_events_appended_total{event_type="seed.entity_created"} 5');
    expect(body).toContain('# TYPE chronicle_import_duration_seconds histogram');

    // A scheduled verification replaces its own group, not the last import's counts.
    const verified = await chronicle([
      'verify',
      '--campaign',
      'pushed',
      '--json',
      '--pushgateway',
      gateway.url,
    ]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(gateway.requests.map((r) => [r.method, r.url])).toEqual([
      ['PUT', '/metrics/job/chronicle/campaign/pushed/command/import'],
      ['PUT', '/metrics/job/chronicle/campaign/pushed/command/verify'],
    ]);
    expect(gateway.requests[1]?.body ?? '').toContain('chronicle_verify_failures_total 0');
  });

  it("an invalid bundle's failed verification is pushed to the group of the campaign its header names", {
    timeout: 60_000,
  }, async () => {
    const gateway = await fakePushgateway(200);
    servers.push(gateway.server);
    expect((await chronicle(['import', BASE_PACKAGE, '--campaign', 'bundled'])).code).toBe(0);
    const bundle = work.path('bundled.jsonl');
    expect((await chronicle(['export', '--campaign', 'bundled', '--out', bundle])).code).toBe(0);
    const lines = readFileSync(bundle, 'utf8').trimEnd().split('\n');
    writeFileSync(bundle, `${lines.slice(0, -1).join('\n')}\n`); // cut short: no end record
    const run = await chronicle(['verify', '--bundle', bundle, '--json', '--pushgateway', gateway.url]);
    expect(run.code, run.stdout + run.stderr).toBe(4);
    expect(JSON.parse(run.stdout)).toMatchObject({
      ok: false,
      error: { code: 'bundle.invalid', campaign: 'bundled' },
    });
    expect(gateway.requests.map((r) => [r.method, r.url])).toEqual([
      ['PUT', '/metrics/job/chronicle/campaign/bundled/command/verify'],
    ]);
    expect(gateway.requests[0]?.body ?? '').toContain('chronicle_verify_failures_total 1');

    // No header to name a campaign: the one of the checkpoint it was checked against (not the default campaign's).
    const checkpoint = work.path('bundled-cp.json');
    expect((await chronicle(['checkpoint', '-c', 'bundled', '--no-record', '--out', checkpoint])).code).toBe(
      0,
    );
    writeFileSync(bundle, 'not a bundle\n');
    const headless = await chronicle([
      'verify',
      '--bundle',
      bundle,
      '--against',
      checkpoint,
      '--pushgateway',
      gateway.url,
    ]);
    expect(headless.code, headless.stdout + headless.stderr).toBe(4);
    expect(gateway.requests[1]?.url).toBe('/metrics/job/chronicle/campaign/bundled/command/verify');
  });

  it("a campaign name with a '/' goes in its base64 form, the Pushgateway's escape for one", {
    timeout: 60_000,
  }, async () => {
    const gateway = await fakePushgateway(200);
    servers.push(gateway.server);
    const run = await chronicle([
      'import',
      BASE_PACKAGE,
      '--campaign',
      'north/south',
      '--pushgateway',
      gateway.url,
    ]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const encoded = Buffer.from('north/south').toString('base64url');
    expect(encoded).toBe('bm9ydGgvc291dGg');
    expect(gateway.requests.map((r) => [r.method, r.url])).toEqual([
      ['PUT', `/metrics/job/chronicle/campaign%40base64/${encoded}/command/import`],
    ]);
  });

  it('a Pushgateway that refuses is a warning: the outcome and exit stand', { timeout: 60_000 }, async () => {
    const gateway = await fakePushgateway(500);
    servers.push(gateway.server);
    const run = await chronicle([
      'import',
      BASE_PACKAGE,
      '--campaign',
      'push-refused',
      '--json',
      '--pushgateway',
      gateway.url,
    ]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'committed' });
    expect(gateway.requests).toHaveLength(1);
    expect(run.stderr).toContain(
      'warning: --pushgateway: could not export the metrics: push failed with status 500',
    );
  });

  // A file that passes the early check (its folder exists, it is no folder) and still cannot be written, even
  // by root: no file can be created in /proc.
  it.runIf(existsSync('/proc/self'))(
    'a metrics file in a folder the system will not write in is refused (io.error, exit 3) before the import',
    { timeout: 60_000 },
    async () => {
      const run = await chronicle([
        'import',
        BASE_PACKAGE,
        '--campaign',
        'metrics-unwritable',
        '--json',
        '--metrics-file',
        '/proc/self/chronicle.prom',
      ]);
      expect(run.code, run.stdout + run.stderr).toBe(3);
      expect(JSON.parse(run.stdout)).toMatchObject({
        outcome: 'error',
        error: { code: 'io.error', file: 'chronicle.prom' },
      });
      const campaigns = await chronicle(['campaigns', '--json']);
      expect(campaigns.code).toBe(0);
      expect(campaigns.stdout).not.toContain('metrics-unwritable');
    },
  );

  it("--metrics-file labels every series with its campaign and command: runs' files in one textfile folder never repeat a series", {
    timeout: 120_000,
  }, async () => {
    const runs = [
      ['import', BASE_PACKAGE, '--campaign', 'textfile-a', '--metrics-file', work.path('a-import.prom')],
      ['verify', '--campaign', 'textfile-a', '--metrics-file', work.path('a-verify.prom')],
      ['import', BASE_PACKAGE, '--campaign', 'textfile-b', '--metrics-file', work.path('b-import.prom')],
    ];
    for (const args of runs) {
      const run = await chronicle(args);
      expect(run.code, run.stdout + run.stderr).toBe(0);
    }

    // What node_exporter's textfile collector does with a folder: every sample line of every file, one exposition.
    const samples = ['a-import.prom', 'a-verify.prom', 'b-import.prom'].flatMap((file) =>
      readFileSync(work.path(file), 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('chronicle_'))
        .map((line) => line.slice(0, line.lastIndexOf(' '))),
    );
    expect(samples.length).toBeGreaterThan(30);
    expect(samples.length - new Set(samples).size).toBe(0);
    expect(samples).toContain(
      'chronicle_imports_total{outcome="committed",campaign="textfile-a",command="import"}',
    );
    expect(samples).toContain('chronicle_verify_failures_total{campaign="textfile-a",command="verify"}');
  });

  it('a --metrics-file in a folder that does not exist is refused with exit 2 before anything is imported', async () => {
    const run = await chronicle([
      'import',
      BASE_PACKAGE,
      '--campaign',
      'metrics-nowhere',
      '--json',
      '--metrics-file',
      work.path('no-such-folder/m.prom'),
    ]);
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({
      outcome: 'error',
      error: { code: 'usage.invalid', message: '--metrics-file m.prom: its folder does not exist' },
    });
    expect(run.stdout + run.stderr).not.toContain(work.dir);
  });

  it('an import that cannot reach its database still writes its --metrics-file: a failed attempt, by its code', async () => {
    const file = work.path('unreachable.prom');
    const run = await runChild(
      [
        '--database-url',
        'postgres://chronicle@127.0.0.1:1/nowhere',
        'import',
        BASE_PACKAGE,
        '--campaign',
        'gone',
        '--json',
        '--metrics-file',
        file,
      ],
      { env: { DATABASE_URL: '', CHRONICLE_DATABASE_URL: '', CHRONICLE_DATA_DIR: '' } },
    );
    expect(run.code, run.stdout + run.stderr).toBe(3);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'error', error: { code: 'db.connect' } });
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(
      'chronicle_imports_total{outcome="rolled_back",campaign="gone",command="import"} 1',
    );
    expect(text).toContain(
      'chronicle_import_rollback_total{phase="database",code="db.connect",campaign="gone",command="import"} 1',
    );
  });

  it('a --pushgateway that is not an http(s) URL is refused with exit 2 before anything is imported', async () => {
    const run = await chronicle([
      'import',
      BASE_PACKAGE,
      '--campaign',
      'push-bad-url',
      '--json',
      '--pushgateway',
      'ftp://gateway:9091',
    ]);
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({
      outcome: 'error',
      error: { code: 'usage.pushgateway_url' },
    });
    expect(await target.read((db) => runRecords(db, 'push-bad-url'))).toEqual([]);
  });
});
