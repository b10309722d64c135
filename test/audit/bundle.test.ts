/**
 * The bundle file itself: what it holds (every stored field, the exact payload bytes), that an edit to the
 * file is caught like an edit to the database, and that a bundle cut short or malformed is refused (exit 4).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BundleFormatError,
  BundleUnreadableError,
  checkSignature,
  createCheckpoint,
  exportBundle,
  fixedClock,
  generateSigningKeyPair,
  InterruptedError,
  publicKeyFromPem,
  verifyBundle,
} from '../../src/index.js';
import { runCli } from '../support/cli.js';
import { openTestDatabase, type TestDatabase } from '../support/databases.js';
import { ANNEX, importAll, LIGHTHOUSE, removeTmpDirs, tmpDir } from './support.js';

afterAll(removeTmpDirs);

describe('audit bundles', () => {
  let target: TestDatabase;
  let bundle: string;
  let lines: string[];
  beforeAll(async () => {
    target = await openTestDatabase('pglite');
    await importAll(target, 'b', [LIGHTHOUSE, ANNEX]);
    await createCheckpoint(target.db, 'b', { clock: fixedClock('2026-02-03T00:00:00.000Z') });
    bundle = join(tmpDir('bundle'), 'b.ndjson');
    await exportBundle(target.db, 'b', bundle, { clock: fixedClock('2026-03-01T00:00:00.000Z') });
    lines = readFileSync(bundle, 'utf8').split('\n').filter(Boolean);
  });
  afterAll(async () => {
    await target?.drop();
  });

  const variant = (name: string, edit: (lines: string[]) => string[]): string => {
    const path = join(tmpDir('variant'), name);
    writeFileSync(path, `${edit([...lines]).join('\n')}\n`);
    return path;
  };

  it('holds a header, every event with its exact stored bytes, the derived rows, the checkpoint and an end record', async () => {
    const kinds = lines.map((line) => (JSON.parse(line) as { kind: string }).kind);
    expect(kinds[0]).toBe('header');
    expect(kinds.at(-1)).toBe('end');
    const count = (kind: string) => kinds.filter((k) => k === kind).length;
    expect([
      count('event'),
      count('import'),
      count('import_log'),
      count('projection'),
      count('checkpoint'),
    ]).toEqual([22, 2, 23, 18, 1]);
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      kind: 'header',
      format: 'chronicle.bundle/1',
      campaign: 'b',
      campaign_id: '1',
      exported_at: '2026-03-01T00:00:00.000Z',
    });
    const stored = await target.db.query<{ o: string; p: Buffer; env: Buffer }>(
      `SELECT replay_ordinal::text AS o, payload_canonical AS p, envelope_hash AS env FROM events ORDER BY replay_ordinal`,
    );
    const events = lines
      .filter((l) => l.startsWith('{"kind":"event",'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => e.ordinal)).toEqual(stored.map((r) => r.o));
    expect(events.map((e) => Buffer.from(String(e.payload), 'utf8'))).toEqual(
      stored.map((r) => Buffer.from(r.p)),
    );
    expect(events.map((e) => e.envelope_hash)).toEqual(stored.map((r) => Buffer.from(r.env).toString('hex')));
    expect(Object.keys(events[0] ?? {})).toEqual([
      'kind',
      'ordinal',
      'event_type',
      'schema_version',
      'world_time',
      'wall_time_utc',
      'prev_event_hash',
      'payload_hash',
      'idempotency_key',
      'envelope_hash',
      'import_id',
      'actor_id',
      'payload',
    ]);
    expect((await verifyBundle(bundle)).ok).toBe(true);
  });

  it('catches an edit of the file as it would catch the same edit in the database', async () => {
    const edited = variant('edited.ndjson', (all) =>
      all.map((line) =>
        line.startsWith('{"kind":"event","ordinal":"2",')
          ? line.replace('\\"name\\":\\"', '\\"name\\":\\"X')
          : line,
      ),
    );
    const report = await verifyBundle(edited);
    expect(report.firstBadOrdinal).toBe(2);
    expect(report.problems).toContainEqual(expect.objectContaining({ ordinal: 2, kind: 'payload_hash' }));
    expect(report.problems).toContainEqual(
      expect.objectContaining({ ordinal: 2, kind: 'projection_mismatch' }),
    );
  });

  it('signs a checkpoint with the PEM text generateSigningKeyPair gives, and refuses a public key for it', async () => {
    const pair = generateSigningKeyPair();

    const { document } = await createCheckpoint(target.db, 'b', {
      signKey: pair.privateKeyPem,
      record: false,
    });

    expect(document.key_id).toBe(pair.keyId);
    expect(checkSignature(document, publicKeyFromPem(pair.publicKeyPem, 'auditor.pub'))).toMatchObject({
      ok: true,
    });
    await expect(
      createCheckpoint(target.db, 'b', { signKey: pair.publicKeyPem, record: false }),
    ).rejects.toMatchObject({
      code: 'key.invalid',
    });
  });

  it("reports another campaign's checkpoint as that, once, without comparing the chain with it", async () => {
    await importAll(target, 'other', [LIGHTHOUSE]);
    const { document } = await createCheckpoint(target.db, 'other', { record: false });

    const report = await verifyBundle(bundle, { against: { document } });

    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      {
        ordinal: 0,
        kind: 'checkpoint_mismatch',
        message: "the checkpoint is for campaign 'other', not 'b': the chain is not compared with it",
      },
    ]);
    expect(report.against).toMatchObject({ firstDifference: null, lastAgreement: null, truncated: false });
  });

  it('names two swapped events for what they are: one missing where the later came first, one out of order', async () => {
    const at = (ordinal: number) =>
      lines.findIndex((line) => line.startsWith(`{"kind":"event","ordinal":"${ordinal}",`));
    const swapped = variant('swapped.ndjson', (all) => {
      const [three, four] = [at(3), at(4)];
      [all[three], all[four]] = [all[four] as string, all[three] as string];
      return all;
    });
    const report = await verifyBundle(swapped);
    expect(report.firstBadOrdinal).toBe(3);
    const ordinalProblems = report.problems.filter((p) =>
      ['missing_events', 'unexpected_ordinal'].includes(p.kind),
    );
    // Event 5 follows 4 as it should: nothing is reported missing after the swapped pair.
    expect(ordinalProblems).toEqual([
      { ordinal: 3, kind: 'missing_events', message: 'event 3 is missing (ordinal 4 follows 2)' },
      {
        ordinal: 3,
        kind: 'unexpected_ordinal',
        message: 'ordinal 3 appears again or out of order (after ordinal 4)',
      },
    ]);
    // The rows of event 3 were passed by when 4 came first: they are reported once, as not in the chain where it
    // should be, and event 3 coming late does not also read as an event without rows.
    const derived = report.problems.filter(
      (p) => p.kind === 'import_log_mismatch' || p.kind === 'projection_mismatch',
    );
    expect(derived.map((p) => [p.ordinal, p.kind, p.message.endsWith('not in the chain')])).toEqual([
      [3, 'import_log_mismatch', true],
      [3, 'projection_mismatch', true],
    ]);
  });

  it('stops at the next line when its signal is aborted: InterruptedError, no bundle and no .partial left', async () => {
    const out = join(tmpDir('stopped'), 'b.ndjson');
    const controller = new AbortController();
    controller.abort(new InterruptedError('SIGINT', 'export'));
    const stopped = exportBundle(target.db, 'b', out, { signal: controller.signal });
    await expect(stopped).rejects.toThrow(InterruptedError);
    await expect(stopped).rejects.toMatchObject({ code: 'export.interrupted', facts: { signal: 'SIGINT' } });
    // The file is opened in the background: nothing may appear after the export has given up either.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect([existsSync(out), existsSync(`${out}.partial`)]).toEqual([false, false]);
  });

  it('refuses a bundle cut short, one with a malformed line and one out of section order (exit 4)', async () => {
    const cases: [string, string, RegExp][] = [
      [
        variant('short.ndjson', (all) => all.slice(0, -1)),
        'short.ndjson',
        /has no end record: it was cut short/,
      ],
      [
        variant('gap.ndjson', (all) => all.filter((_, i) => i !== 5)),
        'gap.ndjson',
        /holds 21 event records, its end record says 22/,
      ],
      [
        variant('bad.ndjson', (all) =>
          all.map((l, i) => (i === 3 ? l.replace('"ordinal":"2"', '"ordinal":2') : l)),
        ),
        'bad.ndjson',
        /line 4: ordinal must be a string/,
      ],
      [
        variant('order.ndjson', (all) => [
          all[0] ?? '',
          all[30] ?? '',
          ...all.slice(1, 30),
          ...all.slice(31),
        ]),
        'order.ndjson',
        /line 3: a event record out of section order/,
      ],
      [
        variant('junk.ndjson', (all) => [...all.slice(0, 2), 'hello', ...all.slice(2)]),
        'junk.ndjson',
        /line 3 is not a bundle record/,
      ],
    ];
    for (const [path, name, message] of cases) {
      await expect(verifyBundle(path, { label: name })).rejects.toThrow(BundleFormatError);
      await expect(verifyBundle(path, { label: name })).rejects.toThrow(message);
      const run = await runCli(['verify', '--bundle', path, '--json']);
      expect(run.code).toBe(4);
      expect(run.json).toMatchObject({
        ok: false,
        error: { code: 'bundle.invalid', message: expect.stringMatching(message) },
      });
      expect(run.stdout).not.toContain(tmpdir());
    }
  });

  it('refuses a record written otherwise than an export writes it, naming its file and line (exit 4)', async () => {
    const event = 3; // line 4: the event of ordinal 2
    const projection = lines.findIndex((line) => line.startsWith('{"kind":"projection"'));
    const edit = (at: number, from: RegExp, to: string) => (all: string[]) =>
      all.map((line, i) => (i === at ? line.replace(from, to) : line));
    const cases: (readonly [string, (all: string[]) => string[], number, RegExp])[] = [
      [
        'zero.ndjson',
        edit(event, /"ordinal":"2"/, '"ordinal":"02"'),
        event,
        /ordinal must be a decimal integer string/,
      ],
      [
        'zulu.ndjson',
        edit(event, /"wall_time_utc":"([^"]+)\+00:00"/, '"wall_time_utc":"$1Z"'),
        event,
        /wall_time_utc .*Z is not written as an export writes it \(.*\+00:00\)/,
      ],
      [
        'both.ndjson',
        edit(event, /\}$/, ',"payload_base64":"e30="}'),
        event,
        /it holds both payload and payload_base64/,
      ],
      [
        'table.ndjson',
        edit(projection, /"table":"[a-z]+"/, '"table":"villains"'),
        projection,
        /projection table villains is unknown/,
      ],
      // Read the same by a JSON parser, but not the export's bytes: refused whatever the record.
      ...(
        [
          ['space.ndjson', edit(event, /,"event_type"/, ', "event_type"'), event],
          ['unknown-key.ndjson', edit(event, /\}$/, ',"note":"added"}'), event],
          ['repeated-key.ndjson', edit(event, /^\{"kind":"event",/, '{"kind":"event","ordinal":"7",'), event],
          ['escape.ndjson', edit(projection, /"table":/, '"t\\u0061ble":'), projection],
          ['crlf.ndjson', edit(0, /$/, '\r'), 0],
          [
            'end-spacing.ndjson',
            (all: string[]) => all.map((l) => l.replace(/^\{"kind":"end",/, '{"kind":"end", ')),
            lines.length - 1,
          ],
        ] as const
      ).map(
        ([name, change, index]) => [name, change, index, /is not written as an export writes it/] as const,
      ),
    ];
    for (const [name, change, index, message] of cases) {
      const run = await runCli(['verify', '--bundle', variant(name, change), '--json']);
      expect(run.code, name).toBe(4);
      expect(run.json, name).toMatchObject({
        ok: false,
        error: {
          code: 'bundle.invalid',
          file: name,
          line: index + 1,
          message: expect.stringMatching(message),
        },
      });
    }
  });

  it('a path with no bundle (no such file, a folder) verified nothing: bundle.unreadable, exit 2, not a failure', async () => {
    const cases: [string, string, RegExp][] = [
      [join(tmpDir('nothing'), 'gone.ndjson'), 'gone.ndjson', /^gone.ndjson: no such bundle file$/],
      // A folder was an internal error (exit 3, EISDIR) once.
      [tmpDir('folder'), 'folder', /: not a file \(a bundle is one NDJSON file\)$/],
    ];
    for (const [path, name, message] of cases) {
      await expect(verifyBundle(path, { label: name })).rejects.toThrow(BundleUnreadableError);
      await expect(verifyBundle(path, { label: name })).rejects.toThrow(message);
      const run = await runCli(['verify', '--bundle', path, '--json']);
      expect(run.code).toBe(2);
      expect(run.json).toMatchObject({
        outcome: 'error',
        error: {
          code: 'bundle.unreadable',
          message: expect.stringMatching(/^--bundle /),
          file: basename(path),
        },
      });
      expect(run.stderr).not.toContain('verification FAILED');
      expect(run.stdout).not.toContain(tmpdir());
    }
  });
});
