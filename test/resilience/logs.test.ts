/**
 * Structured logs as an operator reads them (pino lines captured from the logger's destination stream): one
 * start and one end line per write phase, one outcome line (import.committed / import.noop / import.rolled_back
 * with phase, code and fault point), every line carrying campaign, package_id, manifest_hash and run_id (lines
 * written before the manifest is read carry what is known), and no absolute path or file content anywhere.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  armFaults,
  corruptPackage,
  createLogger,
  type FaultSpec,
  type ImportOptions,
  type ImportResult,
  importPackage,
  LOG_EVENTS,
  listScenarios,
} from '../../src/index.js';
import { REPO_ROOT } from '../support/cli.js';
import { backends, openTestDatabase, type TestDatabase } from '../support/databases.js';
import { BASE_PACKAGE, generateAttempt, type Scratch, scratch } from './support/packages.js';

const WRITE_PHASES = ['manifest', 'entity', 'edge', 'ontology', 'lore', 'finalization'];

type Line = Record<string, unknown>;

/** A logger whose lines are kept: the parsed lines and the raw text. */
function capture(): { logger: ImportOptions['logger']; lines: () => Line[]; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      text += String(chunk);
      callback();
    },
  });
  return {
    logger: createLogger({ level: 'info', destination: stream }),
    lines: () =>
      text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Line),
    text: () => text,
  };
}

function phaseLines(lines: Line[], event: string): unknown[] {
  return lines.filter((line) => line.event === event).map((line) => line.phase);
}

function expectCorrelated(lines: Line[], result: ImportResult): void {
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    expect(line).toMatchObject({
      campaign: result.campaign,
      package_id: result.packageId,
      manifest_hash: result.manifestHash,
      run_id: result.runId,
    });
  }
}

/** Strings that only a file's contents hold: long JSON string values and lore lines (not ids or hashes). */
function contentSamples(dir: string): string[] {
  const samples = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      if (value.length >= 16 && /\s/.test(value)) samples.add(value);
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') Object.values(value).forEach(visit);
  };
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    const text = readFileSync(file, 'utf8');
    if (entry.name.endsWith('.json')) visit(JSON.parse(text));
    if (entry.name.endsWith('.md')) {
      for (const line of text.split('\n')) if (line.trim().length >= 24) samples.add(line.trim());
    }
  }
  return [...samples];
}

describe.each(backends())('structured logs on %s', (backend) => {
  let target: TestDatabase;
  let work: Scratch;
  let attempt: string;
  let caseNumber = 0;
  const allText: string[] = [];
  const brokenDirs: string[] = [];

  async function run(dir: string, extra: Partial<ImportOptions> = {}, withBase = true) {
    caseNumber += 1;
    const campaign = `logs-${caseNumber}`;
    if (withBase) await importPackage(target.db, BASE_PACKAGE, { campaign });
    const logs = capture();
    const result = await importPackage(target.db, dir, { campaign, logger: logs.logger, ...extra });
    allText.push(logs.text());
    return { result, lines: logs.lines() };
  }

  beforeAll(async () => {
    target = await openTestDatabase(backend);
    work = scratch(`logs-${backend}`);
    attempt = (await generateAttempt(work)).dir;
  });
  afterAll(async () => {
    await target?.drop();
    work?.cleanup();
  });

  it('committed: a start and an end line per phase, in order, then import.committed', async () => {
    const { result, lines } = await run(attempt);
    expect(result.outcome).toBe('committed');
    expectCorrelated(lines, result);
    expect(phaseLines(lines, LOG_EVENTS.phaseStart)).toEqual(WRITE_PHASES);
    expect(phaseLines(lines, LOG_EVENTS.phaseEnd)).toEqual(WRITE_PHASES);
    expect(lines.map((line) => line.event)).toEqual([
      ...WRITE_PHASES.flatMap(() => [LOG_EVENTS.phaseStart, LOG_EVENTS.phaseEnd]),
      LOG_EVENTS.committed,
    ]);
    for (const [i, phase] of WRITE_PHASES.entries()) {
      expect(lines[2 * i]).toMatchObject({ event: LOG_EVENTS.phaseStart, phase });
      expect(lines[2 * i + 1]).toMatchObject({
        event: LOG_EVENTS.phaseEnd,
        phase,
        duration_ms: expect.any(Number),
      });
    }
    expect(lines.at(-1)).toMatchObject({
      level: 30,
      event: LOG_EVENTS.committed,
      events_appended: result.eventsAppended,
      first_ordinal: result.firstOrdinal,
      last_ordinal: result.lastOrdinal,
      tip_hash: result.tipHash,
      state_digest: result.stateDigest,
    });
  });

  it('noop: no phase lines, one import.noop', async () => {
    const { result, lines } = await run(BASE_PACKAGE);
    expect(result.outcome).toBe('noop');
    expectCorrelated(lines, result);
    expect(lines).toEqual([expect.objectContaining({ event: LOG_EVENTS.noop, tip_hash: result.tipHash })]);
  });

  it('a fault mid-phase: that phase starts but does not end, then import.rolled_back names it', async () => {
    const fault: FaultSpec = { point: 'after-events:30', kind: 'db-error' };
    const { result, lines } = await run(attempt, { faults: armFaults([fault]) });
    expect(result.outcome).toBe('rolled_back');
    expectCorrelated(lines, result);
    expect(phaseLines(lines, LOG_EVENTS.phaseStart)).toEqual(['manifest', 'entity', 'edge']);
    expect(phaseLines(lines, LOG_EVENTS.phaseEnd)).toEqual(['manifest', 'entity']);
    expect(lines.filter((line) => line.event === LOG_EVENTS.rolledBack)).toEqual([
      expect.objectContaining({
        level: 40,
        phase: 'edge',
        code: 'fault.injected',
        fault_point: 'after-events:30',
      }),
    ]);
    expect(lines.at(-1)?.event).toBe(LOG_EVENTS.rolledBack);
  });

  it('a fault before a phase: that phase never starts; import.rolled_back names it', async () => {
    const fault: FaultSpec = { point: 'before-phase:lore', kind: 'throw' };
    const { result, lines } = await run(attempt, { faults: armFaults([fault]) });
    expectCorrelated(lines, result);
    expect(phaseLines(lines, LOG_EVENTS.phaseStart)).toEqual(['manifest', 'entity', 'edge', 'ontology']);
    expect(phaseLines(lines, LOG_EVENTS.phaseEnd)).toEqual(['manifest', 'entity', 'edge', 'ontology']);
    expect(lines.at(-1)).toMatchObject({
      event: LOG_EVENTS.rolledBack,
      phase: 'lore',
      fault_point: 'before-phase:lore',
    });
  });

  it('a corrupted package: rejected while planning, no phase lines, import.rolled_back with its code', async () => {
    const broken = await corruptPackage(attempt, 'collision', work.path('collision'));
    const { result, lines } = await run(broken.dir);
    expectCorrelated(lines, result);
    expect(lines).toEqual([
      expect.objectContaining({ event: LOG_EVENTS.rolledBack, phase: 'entity', code: 'entity.collision' }),
    ]);
    expect(lines[0]).not.toHaveProperty('fault_point');
  });

  it.each(listScenarios())('$name: one import.rolled_back line with $expectedCode', async (scenario) => {
    const broken = await corruptPackage(attempt, scenario.name, work.path(`scenario-${scenario.name}`));
    brokenDirs.push(broken.dir);
    const { result, lines } = await run(broken.dir, { scenario: scenario.name });
    expect(result.manifestHash).toMatch(/^[0-9a-f]{64}$/);
    expect(lines.filter((line) => line.event === LOG_EVENTS.rolledBack)).toEqual([
      expect.objectContaining({
        scenario: scenario.name,
        campaign: result.campaign,
        run_id: result.runId,
        manifest_hash: result.manifestHash,
        phase: scenario.expectedPhase,
        code: scenario.expectedCode,
      }),
    ]);
    if (scenario.expectedPhase !== 'manifest') expect(lines[0]?.package_id).toBe(result.packageId);
  });

  it('no manifest: the line carries campaign and run_id, the only facts known', async () => {
    const { result, lines } = await run(work.path('not-a-package'), {}, false);
    expect(result.error?.code).toBe('manifest.not_found');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      event: LOG_EVENTS.rolledBack,
      campaign: result.campaign,
      run_id: result.runId,
    });
    expect(lines[0]).not.toHaveProperty('package_id');
  });

  it('no line holds an absolute path or file contents', () => {
    const text = allText.join('');
    expect(text.length).toBeGreaterThan(0);
    for (const path of [work.dir, REPO_ROOT, BASE_PACKAGE, tmpdir(), relative(REPO_ROOT, BASE_PACKAGE)]) {
      expect(text).not.toContain(path);
    }
    const samples = [attempt, BASE_PACKAGE, ...brokenDirs].flatMap(contentSamples);
    expect(samples.length).toBeGreaterThan(20);
    expect(samples.filter((sample) => text.includes(sample))).toEqual([]);
  });
});
