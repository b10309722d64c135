/**
 * Bad input never crashes: each of these packages is rejected by the real `chronicle plan` with a stable code,
 * exit 1 and no stack trace.
 */

import { createHash } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnCli } from '../../support/cli.js';
import { removeTempDirs, tempDir } from '../../support/temp-dirs.js';

afterAll(removeTempDirs);

type Files = Record<string, string | Buffer>;

function makePackage(files: Files, listed: string[] = []): string {
  const dir = tempDir('bad');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  const index: Record<string, string> = {};
  for (const path of listed) {
    const content = files[path];
    if (content !== undefined) index[path] = createHash('sha256').update(content).digest('hex');
  }
  writeFileSync(
    join(dir, 'package.manifest.json'),
    JSON.stringify({
      package_id: '01JD3K8Q6V2M4T9XWBZC5RE0BD',
      schema_version: 1,
      engine_contract_range: { min: '1.0.0', max: '2.0.0' },
      dependencies: [],
      content_index: index,
      ruleset_version: '1.0.0',
    }),
  );
  return dir;
}

const entity = (extra = '') =>
  `{"stable_id":"01JD3K8Q6V2M4T9XWBZC5RE0EN","kind":"npc","name":"Nell","tags":[],"affordances":[]${extra}}`;
let nested = '';
for (let i = 0; i < 100_000; i++) nested += '[';

const cases: [string, () => string, string][] = [
  [
    'invalid UTF-8 in an entity file',
    () => makePackage({ 'entities/a.json': Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) }),
    'entity.parse',
  ],
  ['a BOM before an entity', () => makePackage({ 'entities/a.json': `\ufeff${entity()}` }), 'entity.parse'],
  [
    'a BOM before lore front matter',
    () => makePackage({ 'lore/a.md': '\ufeff---\nchunk_id: ABC\n---\nx' }),
    'lore.front_matter',
  ],
  [
    'a directory named x.json',
    () => {
      const dir = makePackage({ 'entities/real.json': entity() });
      mkdirSync(join(dir, 'entities', 'x.json'));
      return dir;
    },
    'package.read_error',
  ],
  [
    'a 10 MB single-line JSON file',
    () => makePackage({ 'entities/a.json': `{"pad":"${'x'.repeat(10_000_000)}"` }),
    'entity.parse',
  ],
  ['deeply nested JSON', () => makePackage({ 'edges/deep.json': nested }), 'edge.parse'],
  [
    'a YAML alias bomb in front matter',
    () =>
      makePackage({
        'lore/bomb.md':
          '---\na: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\nchunk_id: BOMB\n---\nbody\n',
      }),
    'lore.parse',
  ],
  [
    'two listed file names in two Unicode normalisation forms (one key in the manifest hash)',
    () =>
      makePackage({ 'entities/caf\u00e9.json': entity(), 'entities/cafe\u0301.json': entity() }, [
        'entities/caf\u00e9.json',
        'entities/cafe\u0301.json',
      ]),
    'package.name_collision',
  ],
  [
    'a symlink escaping the package',
    () => {
      const dir = makePackage({ 'entities/a.json': entity() });
      symlinkSync('/etc/hostname', join(dir, 'entities', 'leak.json'));
      return dir;
    },
    'package.path_escape',
  ],
];

describe('bad input through `chronicle plan --json`', () => {
  it.each(cases)('%s is rejected cleanly', async (_name, build, code) => {
    const run = await spawnCli(['plan', build(), '--json']);
    expect(run.code).toBe(1);
    expect(run.json).toMatchObject({ outcome: 'rejected', error: { code } });
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('reports an unknown option as a usage error (exit 2)', async () => {
    const run = await spawnCli(['plan', '--no-such-flag']);
    expect(run.code).toBe(2);
  });
});
