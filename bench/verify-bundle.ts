/**
 * Peak memory of `verify --bundle` as the chain grows: writes valid synthetic bundles (imports of
 * `--import-size` entity events each, with their ImportLog, projections and a checkpoint) of several sizes,
 * verifies each in a fresh process and records its peak RSS and throughput.
 *   npm run bench:bundle -- [--events 1000000] [--import-size 10000] [--out bench/results/verify-bundle.json]
 *   npm run bench:bundle -- --events 100000 --write /tmp/b.ndjson   (only write a bundle, to try by hand)
 * Constant memory means the peak RSS stays flat while the event count grows tenfold.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { canonicalJsonBytes, sha256Hex } from '../src/canonical/index.js';
import {
  BUNDLE_FORMAT,
  encodeEnd,
  encodeEvent,
  encodeHeader,
  encodeImport,
  encodeLogRow,
  encodeProjection,
  type SectionCounts,
} from '../src/ledger/bundle-format.js';
import {
  envelopeHash,
  idempotencyKeyV2,
  payloadHash,
  topLevelRulesetVersion,
  ZERO_HASH,
} from '../src/ledger/envelope.js';
import { verifyBundle } from '../src/ledger/verify-bundle.js';
import { manifestComponent, stateDigest } from '../src/plan/state-digest.js';

const RESULT = 'VERIFY-BUNDLE-RESULT ';
const CAMPAIGN_ID = '1';
const WALL_MICROS = 1_767_225_600_000_000n;

interface Shape {
  imports: number;
  importSize: number;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const packageId = (k: number) => `01BENCHPKG${pad(k, 16)}`;
const manifestHash = (k: number) => sha256Hex(`manifest-${k}`);

function entityPayload(k: number, i: number): Record<string, unknown> {
  const n = k * 1_000_000_000 + i;
  return {
    stable_id: `01BENCHENT${pad(n, 16)}`,
    kind: 'npc',
    name: `Bench keeper ${n}`,
    tags: ['bench', 'keeper'],
    affordances: ['talk'],
    traits: {
      temperament: 'steady',
      notes: 'Keeps the lamp lit through the long watch; writes every storm into the log.',
    },
    provenance: {
      package_id: packageId(k),
      source_path: `entities/keeper-${n}.json`,
      file_hash: sha256Hex(`file-${n}`),
    },
  };
}

/** One event at a time, in chain order, with the state the other sections need. */
function* chain(shape: Shape): Generator<{
  k: number;
  i: number | 'manifest' | 'complete';
  ordinal: bigint;
  event: Parameters<typeof encodeEvent>[0];
}> {
  let ordinal = 0n;
  let prev: Buffer = ZERO_HASH;
  const event = (k: number, type: string, payload: Record<string, unknown>) => {
    const bytes = canonicalJsonBytes(payload);
    const hash = payloadHash(bytes);
    const key = idempotencyKeyV2({
      campaignId: CAMPAIGN_ID,
      eventType: type,
      rulesetVersion: topLevelRulesetVersion(bytes),
      canonicalArgs: bytes,
    });
    const fields = {
      campaignId: CAMPAIGN_ID,
      replayOrdinal: ordinal,
      eventType: type,
      schemaVersion: 1,
      worldTime: ordinal,
      wallTimeMicros: WALL_MICROS,
      prevEventHash: prev,
      payloadHash: hash,
      idempotencyKey: key,
    };
    const envelope = envelopeHash(fields);
    const stored = {
      ...fields,
      envelopeHash: envelope,
      payloadCanonical: bytes,
      payloadJsonMatches: true,
      importId: String(k + 1),
      actorId: 'importer',
    };
    prev = envelope;
    ordinal += 1n;
    return stored;
  };
  for (let k = 0; k < shape.imports; k++) {
    yield {
      k,
      i: 'manifest',
      ordinal,
      event: event(k, 'seed.manifest.validated', {
        package_id: packageId(k),
        manifest_hash: manifestHash(k),
        schema_version: 1,
        ruleset_version: '1.0.0',
      }),
    };
    const components = [manifestComponent(packageId(k), manifestHash(k))];
    for (let i = 0; i < shape.importSize; i++) {
      const payload = entityPayload(k, i);
      const provenance = payload.provenance as { file_hash: string };
      components.push({
        phase: 'entity',
        stable_id: payload.stable_id as string,
        content_hash: provenance.file_hash,
      });
      yield { k, i, ordinal, event: event(k, 'seed.entity_created', payload) };
    }
    yield {
      k,
      i: 'complete',
      ordinal,
      event: event(k, 'seed.import.complete', {
        package_id: packageId(k),
        manifest_hash: manifestHash(k),
        entity_count: shape.importSize,
        edge_count: 0,
        tag_count: 0,
        affordance_count: 0,
        chunk_count: 0,
        state_digest: stateDigest(components),
      }),
    };
  }
}

async function writeBundle(path: string, shape: Shape): Promise<void> {
  const out = createWriteStream(path);
  const write = async (line: string) => {
    if (!out.write(line)) await once(out, 'drain');
  };
  const counts: SectionCounts = { event: 0, import: 0, import_log: 0, projection: 0, checkpoint: 0 };
  const tips: { first: bigint; last: bigint; tip: string; digest: string }[] = [];
  await write(
    encodeHeader({
      format: BUNDLE_FORMAT,
      campaign: 'bench',
      campaign_id: CAMPAIGN_ID,
      exported_at: '2026-01-01T00:00:00.000Z',
    }),
  );
  for (const { i, ordinal, event } of chain(shape)) {
    await write(encodeEvent(event));
    counts.event += 1;
    if (i === 'manifest') tips.push({ first: ordinal, last: ordinal, tip: '', digest: '' });
    if (i === 'complete') {
      const current = tips[tips.length - 1] as (typeof tips)[number];
      current.last = ordinal;
      current.tip = event.envelopeHash.toString('hex');
      current.digest = String(JSON.parse(event.payloadCanonical.toString('utf8')).state_digest);
    }
  }
  const rowsPerImport = BigInt(shape.importSize + 2);
  for (const [k, t] of tips.entries()) {
    counts.import += 1;
    await write(
      encodeImport({
        id: String(k + 1),
        packageId: packageId(k),
        manifestHash: manifestHash(k),
        stateDigest: t.digest,
        filesDigest: sha256Hex(`files-${k}`),
        firstOrdinal: t.first,
        lastOrdinal: t.last,
        tipHash: t.tip,
        counts: { entities: shape.importSize, edges: 0, tags: 0, affordances: 0, chunks: 0 },
        eventsAppended: shape.importSize + 2,
        objectsSkipped: 0,
        firstSequenceNo: BigInt(k) * rowsPerImport + 1n,
        lastSequenceNo: BigInt(k + 1) * rowsPerImport,
        durationMs: 0,
        committedAt: '2026-01-01T00:00:00.000000Z',
      }),
    );
  }
  let seq = 0n;
  const log = (
    k: number,
    phase: string,
    objectType: string,
    stableId: string,
    fileHash: string,
    action: string,
    ordinal: bigint,
  ) =>
    encodeLogRow({
      sequenceNo: ++seq,
      importId: String(k + 1),
      phase,
      objectType,
      stableId,
      fileHash,
      action,
      manifestHash: manifestHash(k),
      eventOrdinal: ordinal,
      loggedAt: '2026-01-01T00:00:00.000000Z',
    });
  for (let k = 0, ordinal = 0n; k < shape.imports; k++) {
    await write(log(k, 'manifest', 'package', packageId(k), manifestHash(k), 'validated', ordinal++));
    for (let i = 0; i < shape.importSize; i++) {
      const p = entityPayload(k, i);
      await write(
        log(
          k,
          'entity',
          'npc',
          p.stable_id as string,
          (p.provenance as { file_hash: string }).file_hash,
          'created',
          ordinal++,
        ),
      );
    }
    await write(
      log(
        k,
        'finalization',
        'summary',
        `summary-${packageId(k)}`,
        (tips[k] as { digest: string }).digest,
        'completed',
        ordinal++,
      ),
    );
    counts.import_log += shape.importSize + 2;
  }
  for (let k = 0, ordinal = 0n; k < shape.imports; k++) {
    ordinal += 1n;
    for (let i = 0; i < shape.importSize; i++) {
      const p = entityPayload(k, i);
      const provenance = p.provenance as { file_hash: string; source_path: string };
      await write(
        encodeProjection({
          table: 'entities',
          stableId: p.stable_id as string,
          category: '',
          objectType: 'npc',
          packageId: packageId(k),
          sourcePath: provenance.source_path,
          contentHash: provenance.file_hash,
          fileHash: provenance.file_hash,
          eventOrdinal: ordinal++,
          payload: canonicalJsonBytes(p).toString('utf8'),
        }),
      );
      counts.projection += 1;
    }
    ordinal += 1n;
  }
  await write(encodeEnd(counts));
  out.end();
  await once(out, 'finish');
}

async function child(path: string): Promise<void> {
  const started = performance.now();
  const report = await verifyBundle(path, { label: 'bench.ndjson' });
  const seconds = (performance.now() - started) / 1000;
  const result = {
    ok: report.ok,
    events: report.events,
    problems: report.problems.length,
    seconds: Number(seconds.toFixed(1)),
    events_per_second: Math.round(report.events / seconds),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  process.stdout.write(`${RESULT}${JSON.stringify(result)}\n`);
}

function measure(path: string): Promise<Record<string, number | boolean>> {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const run = spawn(process.execPath, [...process.execArgv, self, '--child', path], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    run.stdout.on('data', (d) => {
      output += d;
    });
    run.on('error', reject);
    run.on('close', (code) => {
      const line = output.split('\n').find((l) => l.startsWith(RESULT));
      if (code !== 0 || !line)
        reject(new Error(`verify-bundle bench: the measurement failed (exit ${code})`));
      else resolve(JSON.parse(line.slice(RESULT.length)) as Record<string, number | boolean>);
    });
  });
}

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    'import-size': { type: 'string', default: '10000' },
    out: { type: 'string' },
    child: { type: 'string' },
    write: { type: 'string' },
  },
});

/** Imports of `importSize` objects (each also has its manifest and completion events), about `events` in all. */
function shapeFor(events: number, importSize: number): Shape {
  const size = Math.max(1, Math.min(importSize, events - 2));
  return { imports: Math.max(1, Math.round(events / (size + 2))), importSize: size };
}

if (values.child) {
  await child(values.child);
} else if (values.write) {
  await writeBundle(values.write, shapeFor(Number(values.events), Number(values['import-size'])));
} else {
  const importSize = Number(values['import-size']);
  const largest = Number(values.events);
  const work = mkdtempSync(join(tmpdir(), 'chronicle-verify-bundle-'));
  const rows: Record<string, unknown>[] = [];
  try {
    for (const target of [Math.round(largest / 10), largest]) {
      const shape = shapeFor(target, importSize);
      const path = join(work, `bundle-${target}.ndjson`);
      const started = performance.now();
      await writeBundle(path, shape);
      const written = (performance.now() - started) / 1000;
      process.stderr.write(
        `verify-bundle: wrote ${shape.imports} imports x ${shape.importSize} objects in ${written.toFixed(0)} s\n`,
      );
      const result = await measure(path);
      rows.push({ ...shape, bundle_mb: Math.round(statSync(path).size / 2 ** 20), ...result });
      rmSync(path);
      process.stderr.write(`verify-bundle: ${JSON.stringify(rows[rows.length - 1])}\n`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const report = { node: process.version, import_size: importSize, runs: rows };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  if (values.out) {
    mkdirSync(dirname(values.out), { recursive: true });
    writeFileSync(values.out, `${JSON.stringify(report, null, 2)}\n`);
  }
}
