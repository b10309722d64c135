/**
 * `chronicle index`: an author edits, adds and removes files, and the command rebuilds content_index so that the
 * package plans again; `--check` reports a stale index without touching anything; a file the import would refuse
 * under its raw hash, or a manifest it would refuse, is refused and nothing is written.
 */
import { appendFileSync, cpSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseJson } from '../../../src/canonical/index.js';
import { prettyJson } from '../../../src/canonical/pretty-json.js';
import { REPO_ROOT, runCli } from '../../support/cli.js';
import { removeTempDirs, tempDir } from '../../support/temp-dirs.js';

const LIGHTHOUSE = join(REPO_ROOT, 'fixtures/packages/lighthouse');
const MANIFEST = 'package.manifest.json';

afterAll(removeTempDirs);

function copyOfLighthouse(): string {
  const dir = join(tempDir('index'), 'pkg');
  cpSync(LIGHTHOUSE, dir, { recursive: true });
  return dir;
}

const manifestOf = (dir: string) => readFileSync(join(dir, MANIFEST), 'utf8');
const indexOf = (dir: string) =>
  (JSON.parse(manifestOf(dir)) as { content_index: Record<string, string> }).content_index;

describe('chronicle index', () => {
  it('leaves an up-to-date package byte for byte as it was', async () => {
    const dir = copyOfLighthouse();
    const before = manifestOf(dir);

    const checked = await runCli(['index', dir, '--check', '--json']);
    const rebuilt = await runCli(['index', dir, '--json']);

    expect(checked).toMatchObject({
      code: 0,
      json: { outcome: 'current', listed: 11, added: [], removed: [] },
    });
    expect(rebuilt).toMatchObject({ code: 0, json: { outcome: 'current' } });
    expect(manifestOf(dir)).toBe(before);
  });

  it('--check names what is stale and writes nothing; index rewrites content_index and the package plans', async () => {
    const dir = copyOfLighthouse();
    appendFileSync(join(dir, 'entities/wren.json'), '\n');
    const added = JSON.parse(readFileSync(join(dir, 'entities/wren.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    writeFileSync(
      join(dir, 'entities/gull.json'),
      `${JSON.stringify({ ...added, stable_id: '01JD3K8Q6V2M4T9XWBZC5GULL0', name: 'Gull' }, null, 2)}\n`,
    );
    rmSync(join(dir, 'lore/storm-night.md'));
    const before = manifestOf(dir);
    expect((await runCli(['plan', dir])).stderr).toContain(`chronicle index ${dir}`);

    const checked = await runCli(['index', dir, '--check', '--json']);

    expect(checked.code).toBe(1);
    expect(checked.json).toEqual({
      outcome: 'stale',
      listed: 11,
      added: ['entities/gull.json'],
      updated: ['entities/wren.json'],
      removed: [{ path: 'lore/storm-night.md', reason: 'no such file' }],
      manifest_hash: null,
    });
    expect(manifestOf(dir)).toBe(before);

    const rebuilt = await runCli(['index', dir]);

    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stdout).toContain('content_index updated: 1 added, 1 changed, 1 removed; 11 files listed');
    expect(Object.keys(indexOf(dir))).toContain('entities/gull.json');
    expect(Object.keys(indexOf(dir))).not.toContain('lore/storm-night.md');
    expect(Object.keys(indexOf(dir))).toEqual(Object.keys(indexOf(dir)).sort());
    const planned = await runCli(['plan', dir, '--json']);
    expect(planned).toMatchObject({ code: 0, json: { outcome: 'planned' } });
    expect(rebuilt.stdout).toContain(`manifest hash  ${planned.json.manifest_hash}`);
    expect(await runCli(['index', dir, '--check', '--json'])).toMatchObject({
      code: 0,
      json: { outcome: 'current' },
    });
  });

  it('keeps the manifest members, their order and number texts; lists README.md and other listed files still there', async () => {
    const dir = copyOfLighthouse();
    const manifest = JSON.parse(manifestOf(dir)) as Record<string, unknown>;
    writeFileSync(join(dir, 'notes.txt'), 'a note the author lists\n');
    const edited = manifestOf(dir)
      .replace('"schema_version": 1', '"schema_version": 1.0')
      .replace(
        '"content_index": {',
        '"content_index": {\n    "notes.txt": "0000000000000000000000000000000000000000000000000000000000000000",',
      );
    writeFileSync(join(dir, MANIFEST), edited);
    appendFileSync(join(dir, 'edges/flight.json'), '\n');

    expect((await runCli(['index', dir])).code).toBe(0);

    const text = manifestOf(dir);
    expect(text).toContain('"schema_version": 1.0,');
    expect(Object.keys(JSON.parse(text) as object)).toEqual(Object.keys(manifest));
    expect(indexOf(dir)).toMatchObject({ 'README.md': expect.any(String), 'notes.txt': expect.any(String) });
    expect(indexOf(dir)['notes.txt']).not.toMatch(/^0+$/);
  });

  it('refuses a file the import would refuse under its raw hash, and writes nothing', async () => {
    const dir = copyOfLighthouse();
    writeFileSync(join(dir, 'entities/crlf.json'), '{\r\n  "stable_id": "x"\r\n}\r\n');
    const before = manifestOf(dir);

    const run = await runCli(['index', dir, '--json']);

    expect(run.code).toBe(1);
    expect(run.json).toMatchObject({
      outcome: 'rejected',
      error: { code: 'package.not_normalized', file: 'entities/crlf.json' },
    });
    expect(manifestOf(dir)).toBe(before);
  });

  it('lists a README.md with CR line endings by its raw hash, as the import checks it', async () => {
    const dir = copyOfLighthouse();
    writeFileSync(join(dir, 'README.md'), 'Lighthouse\r\nnotes\r\n');

    const run = await runCli(['index', dir, '--json']);

    expect(run).toMatchObject({ code: 0, json: { outcome: 'written', updated: ['README.md'] } });
    expect((await runCli(['plan', dir])).code).toBe(0);
  });

  it('refuses a manifest the import would refuse (a file name with a line break cannot be listed), and writes nothing', async () => {
    const dir = copyOfLighthouse();
    cpSync(join(dir, 'entities/wren.json'), join(dir, 'entities/gu\nll.json'));
    const before = manifestOf(dir);

    const run = await runCli(['index', dir, '--json']);

    expect(run.code).toBe(1);
    expect(run.json).toMatchObject({
      outcome: 'rejected',
      error: {
        code: 'manifest.schema',
        pointer: '/content_index',
        message: expect.stringContaining("'entities/gu\nll.json'"),
      },
    });
    expect(manifestOf(dir)).toBe(before);
    expect((await runCli(['plan', dir])).code).toBe(0);
  });
  it("names an editor's lock file, a link to nowhere, as the import does: a broken symbolic link", async () => {
    const dir = copyOfLighthouse();
    symlinkSync('nobody@host.1234', join(dir, 'entities/.#wren.json'));

    const indexed = await runCli(['index', dir, '--json']);
    const planned = await runCli(['plan', dir, '--json']);

    for (const run of [indexed, planned]) {
      expect(run.code).toBe(1);
      expect(run.json).toMatchObject({
        error: {
          code: 'package.read_error',
          message: expect.stringContaining('entities/.#wren.json: cannot be read (broken symbolic link)'),
        },
      });
    }
  });

  it('refuses two file names that differ only in Unicode normalisation form, naming both, and writes nothing', async () => {
    const dir = copyOfLighthouse();
    const composed = 'entities/caf\u00e9.json';
    const decomposed = 'entities/cafe\u0301.json';
    const wren = readFileSync(join(dir, 'entities/wren.json'), 'utf8');
    writeFileSync(join(dir, composed), wren.replace('"Wren"', '"Wren the elder"'));
    writeFileSync(join(dir, decomposed), wren);
    const before = manifestOf(dir);

    const run = await runCli(['index', dir, '--json']);

    expect(run.code).toBe(1);
    expect(run.json).toMatchObject({
      outcome: 'rejected',
      error: {
        code: 'package.name_collision',
        files: [composed, decomposed],
        message: expect.stringContaining('(one of them decomposed, with U+0301)'),
      },
    });
    expect(manifestOf(dir)).toBe(before);
  });
});

describe('prettyJson', () => {
  it('writes numbers as they were written and text as it is, two spaces deep', () => {
    const text = '{"b":[1.0,2e3,{}],"a":"é\\u0000","c":{"d":null,"e":[]}}';
    expect(prettyJson(parseJson(text))).toBe(
      '{\n  "b": [\n    1.0,\n    2e3,\n    {}\n  ],\n  "a": "é\\u0000",\n  "c": {\n    "d": null,\n    "e": []\n  }\n}\n',
    );
  });
});
