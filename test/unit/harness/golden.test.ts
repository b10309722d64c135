/**
 * `chronicle harness golden`: QA's golden-outcome suite. The conformance corpus kept in this repository passes
 * through it case by case; a suite whose package changed is reported field by field and exits 1; `--update`
 * records new and changed outcomes, keeping the other fields of expected.json.
 */
import { appendFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../../support/cli.js';
import { removeTempDirs, tempDir } from '../../support/temp-dirs.js';

const CORPUS = join(REPO_ROOT, 'fixtures/conformance');

afterAll(removeTempDirs);

/** A suite of two corpus cases and the lighthouse package with no expected.json yet. */
function smallSuite(): string {
  const dir = tempDir('golden');
  for (const name of ['edges-basic', 'entity-collision'])
    cpSync(join(CORPUS, name), join(dir, name), { recursive: true });
  cpSync(join(REPO_ROOT, 'fixtures/packages/lighthouse'), join(dir, 'lighthouse/package'), {
    recursive: true,
  });
  return dir;
}

const expectedOf = (dir: string, name: string) =>
  JSON.parse(readFileSync(join(dir, name, 'expected.json'), 'utf8')) as Record<string, unknown>;

describe('chronicle harness golden', () => {
  it('passes every case of the conformance corpus', async () => {
    const run = await runCli(['harness', 'golden', CORPUS, '--json']);

    expect(run.code).toBe(0);
    expect(run.json.mismatch).toBe(0);
    expect(run.json.ok).toBeGreaterThanOrEqual(30);
  });

  it('reports a case without expected.json, records it with --update, then passes', async () => {
    const dir = smallSuite();

    const first = await runCli(['harness', 'golden', dir]);
    const updated = await runCli(['harness', 'golden', dir, '--update', '--json']);
    const again = await runCli(['harness', 'golden', dir, '--json']);
    const againText = await runCli(['harness', 'golden', dir]);

    expect(first.code).toBe(1);
    expect(first.stdout).toContain('mismatch  lighthouse\n            no expected.json yet');
    expect(first.stdout).toContain('3 cases: 2 ok, 1 mismatch, 0 recorded');
    expect(updated).toMatchObject({ code: 0, json: { ok: 2, mismatch: 0, recorded: 1 } });
    expect(expectedOf(dir, 'lighthouse')).toEqual({
      case: 'lighthouse',
      outcome: 'committed',
      manifest_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      state_digest: expect.stringMatching(/^[0-9a-f]{64}$/),
      counts: { entities: 5, edges: 3, tags: 2, affordances: 1, chunks: 5 },
    });
    expect(again).toMatchObject({ code: 0, json: { ok: 3, mismatch: 0 } });
    // The names stay in the column they had with a mismatch among them.
    expect(againText.stdout).toContain('ok        lighthouse\n');
  });

  it('names what changed, field by field, and writes nothing without --update', async () => {
    const dir = smallSuite();
    await runCli(['harness', 'golden', dir, '--update']);
    const recorded = readFileSync(join(dir, 'edges-basic/expected.json'), 'utf8');
    appendFileSync(join(dir, 'edges-basic/package/edges/paths.json'), ' ');
    const wren = join(dir, 'lighthouse/package/entities/wren.json');
    writeFileSync(wren, readFileSync(wren, 'utf8').replace('"name": "', '"name": "Old '));
    await runCli(['index', join(dir, 'lighthouse/package')]);

    const run = await runCli(['harness', 'golden', dir, '--json']);

    expect(run.code).toBe(1);
    expect(run.json.cases).toEqual([
      {
        case: 'edges-basic',
        status: 'mismatch',
        differences: ['outcome: expected committed, got rejected (package.hash_mismatch in phase manifest)'],
      },
      { case: 'entity-collision', status: 'ok', differences: [] },
      {
        case: 'lighthouse',
        status: 'mismatch',
        differences: [
          expect.stringMatching(/^manifest_hash: expected [0-9a-f]{64}, got [0-9a-f]{64}$/),
          expect.stringMatching(/^state_digest: expected [0-9a-f]{64}, got [0-9a-f]{64}$/),
        ],
      },
    ]);
    expect(readFileSync(join(dir, 'edges-basic/expected.json'), 'utf8')).toBe(recorded);
  });

  it('keeps the description of a case it records again, and drops an error message of another code', async () => {
    const dir = smallSuite();
    const expected = expectedOf(dir, 'entity-collision');
    writeFileSync(
      join(dir, 'entity-collision/expected.json'),
      JSON.stringify({ ...expected, error: { ...(expected.error as object), code: 'entity.invalid' } }),
    );

    const run = await runCli(['harness', 'golden', dir, '--update', '--json']);

    expect(run.json).toMatchObject({ recorded: 2 });
    const rewritten = expectedOf(dir, 'entity-collision');
    expect(rewritten.description).toBe(expected.description);
    expect(rewritten.error).toEqual({ phase: 'entity', code: 'entity.collision' });
  });

  it('fails a case whose package/ folder is missing (misnamed), even with --update', async () => {
    const dir = smallSuite();
    await runCli(['harness', 'golden', dir, '--update']);
    mkdirSync(join(dir, 'misnamed', 'pkg'), { recursive: true });
    const expected = '{"case": "misnamed", "outcome": "committed"}\n';
    writeFileSync(join(dir, 'misnamed', 'expected.json'), expected);

    const run = await runCli(['harness', 'golden', dir]);
    const updated = await runCli(['harness', 'golden', dir, '--update', '--json']);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain('mismatch  misnamed\n            no package/ folder beside expected.json\n');
    expect(run.stdout).toContain('4 cases: 3 ok, 1 mismatch, 0 recorded');
    expect(updated.code).toBe(1);
    expect(updated.json).toMatchObject({ ok: 3, mismatch: 1, recorded: 0 });
    expect(readFileSync(join(dir, 'misnamed', 'expected.json'), 'utf8')).toBe(expected);
  });

  it('fails a case whose expected.json is not JSON and runs the others; --update leaves that file alone', async () => {
    const dir = smallSuite();
    writeFileSync(join(dir, 'lighthouse', 'expected.json'), '{not json');

    const run = await runCli(['harness', 'golden', dir, '--json']);
    const updated = await runCli(['harness', 'golden', dir, '--update', '--json']);

    expect(run.code).toBe(1);
    expect(run.json).toMatchObject({ ok: 2, mismatch: 1, recorded: 0 });
    expect(run.json.cases).toContainEqual({
      case: 'lighthouse',
      status: 'mismatch',
      differences: [expect.stringMatching(/^expected\.json: not valid JSON \(.+\)$/)],
    });
    expect(updated.code).toBe(1);
    expect(updated.json.cases).toContainEqual({
      case: 'lighthouse',
      status: 'mismatch',
      differences: [expect.stringMatching(/; --update does not overwrite it: fix it or delete it$/)],
    });
    expect(readFileSync(join(dir, 'lighthouse', 'expected.json'), 'utf8')).toBe('{not json');
  });

  it('says that a JSON value other than an object is not a JSON object', async () => {
    const dir = smallSuite();
    writeFileSync(join(dir, 'lighthouse', 'expected.json'), '[]');

    const run = await runCli(['harness', 'golden', dir, '--json']);

    expect(run.code).toBe(1);
    expect(run.json.cases).toContainEqual({
      case: 'lighthouse',
      status: 'mismatch',
      differences: ['expected.json: not a JSON object'],
    });
  });

  it('given one case folder, says to give the folder that holds it', async () => {
    const dir = smallSuite();

    const run = await runCli(['harness', 'golden', join(dir, 'edges-basic')]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `edges-basic: holds no golden case (a folder with a package/ folder and an expected.json); it is a case itself: give the folder that holds it (${basename(dir)})`,
    );
  });

  it('refuses a folder that holds no case', async () => {
    const run = await runCli(['harness', 'golden', tempDir('golden-empty'), '--json']);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('holds no golden case');
  });

  it('names the folder one level down that holds the cases, when the one given does not', async () => {
    const suite = tempDir('golden-suite');
    mkdirSync(join(suite, 'cases', 'one', 'package'), { recursive: true });
    mkdirSync(join(suite, 'notes'));

    const run = await runCli(['harness', 'golden', suite]);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/holds no golden case \(.*\); try \S*golden-suite[^/]*\/cases\n$/);
  });
});
