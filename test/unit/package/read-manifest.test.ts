import { afterAll, describe, expect, it } from 'vitest';
import { canonicalHashHex, isJsonObject, parseJson } from '../../../src/canonical/index.js';
import { readPackage } from '../../../src/package/read-package.js';
import {
  baseManifest,
  expectRejection,
  LENIENT,
  PACKAGE_ID,
  removeTempDirs,
  STRICT,
  tempDir,
  writePackage,
} from './support.js';

afterAll(removeTempDirs);

const manifestText = (fields: Record<string, unknown> = {}): string =>
  JSON.stringify(baseManifest(fields), null, 2);

describe('readPackage: the manifest', () => {
  it('hashes the parsed manifest with canonical JSON and exposes its fields', async () => {
    const text = manifestText({ recommended_flags: { 'features.importer': true } });
    const snapshot = await readPackage(await writePackage({ manifest: text }), LENIENT);
    const parsed = parseJson(text);
    expect(isJsonObject(parsed)).toBe(true);
    expect(snapshot.manifest.manifestHash).toBe(canonicalHashHex(parsed));
    expect(snapshot.manifest).toMatchObject({
      packageId: PACKAGE_ID,
      schemaVersion: 1,
      rulesetVersion: '1.0.0',
    });
    expect(snapshot.fingerprints.map((f) => f.path)).toEqual(['package.manifest.json']);
  });

  it('rejects a package without package.manifest.json', async () => {
    const dir = await writePackage({ manifest: null, files: { 'entities/a.json': '{}' } });
    const error = await expectRejection(readPackage(dir, LENIENT), 'manifest', 'manifest.not_found');
    expect(error.message).toContain('package.manifest.json');
    expect(error.message).not.toContain(dir);
  });

  it('rejects a package directory that does not exist', async () => {
    const dir = `${await tempDir()}/nowhere`;
    await expectRejection(readPackage(dir, LENIENT), 'manifest', 'manifest.not_found');
  });

  it('rejects a file given as the package directory (its manifest, say), saying what to give instead', async () => {
    const dir = await writePackage({});
    const error = await expectRejection(
      readPackage(`${dir}/package.manifest.json`, LENIENT),
      'manifest',
      'manifest.not_found',
    );
    expect(error.message).toBe(
      'package.manifest.json: not found (the package path is a file, not a directory: give the folder that holds package.manifest.json)',
    );
  });

  it('reports invalid JSON with Python-style line and column', async () => {
    const dir = await writePackage({ manifest: '{\n  "package_id": "x",\n}\n' });
    const error = await expectRejection(readPackage(dir, LENIENT), 'manifest', 'manifest.invalid_json');
    expect(error.message).toContain('package.manifest.json');
    expect(error.message).toContain('line 3 column 1');
    expect(error.facts).toMatchObject({ line: 3, column: 1 });
  });

  it('treats a byte order mark as invalid JSON', async () => {
    const dir = await writePackage({ manifest: `\uFEFF${manifestText()}` });
    await expectRejection(readPackage(dir, LENIENT), 'manifest', 'manifest.invalid_json');
  });

  it('treats invalid UTF-8 as invalid JSON and gives the byte offset', async () => {
    const bytes = Buffer.concat([Buffer.from('{"package_id": "'), Buffer.from([0xff]), Buffer.from('"}')]);
    const dir = await writePackage({ manifest: null, files: { 'package.manifest.json': bytes } });
    const error = await expectRejection(readPackage(dir, LENIENT), 'manifest', 'manifest.invalid_json');
    expect(error.facts.byte_offset).toBe(16);
  });

  it('names the JSON pointer and the rule of a schema violation, and still gives the package id and manifest hash', async () => {
    const text = manifestText({ ruleset_version: '1.4' });
    const dir = await writePackage({ manifest: text });
    const error = await expectRejection(readPackage(dir, LENIENT), 'manifest', 'manifest.schema');
    expect(error.message).toContain('/ruleset_version');
    expect(error.facts).toMatchObject({
      pointer: '/ruleset_version',
      rule: 'pattern',
      package_id: (JSON.parse(text) as { package_id: string }).package_id,
    });
    expect(error.facts.manifest_hash).toBe(canonicalHashHex(parseJson(text)));
  });

  it.each([
    ['an unknown top-level key', { version: '1.0.0' }, 'additionalProperties'],
    ['a missing required key', { dependencies: undefined }, 'required'],
    [
      'a content_index key starting with /',
      { content_index: { '/etc/passwd': 'a'.repeat(64) } },
      'additionalProperties',
    ],
    ['a content_index value that is not 64 hex digits', { content_index: { 'a.txt': 'abc' } }, 'pattern'],
    ['schema_version 0', { schema_version: 0 }, 'minimum'],
    [
      'an unknown signature algorithm',
      { signatures: [{ algorithm: 'rsa', key_id: 'k', signature: 'ab' }] },
      'enum',
    ],
    ['a non-boolean recommended flag', { recommended_flags: { 'features.x': 'yes' } }, 'type'],
    ['a non-string package_id', { package_id: 42 }, 'type'],
  ])('rejects %s', async (_name, fields, rule) => {
    const dir = await writePackage({ manifest: manifestText(fields) });
    const error = await expectRejection(readPackage(dir, LENIENT), 'manifest', 'manifest.schema');
    expect(error.facts.rule).toBe(rule);
  });

  it('rejects a manifest that is not an object', async () => {
    const dir = await writePackage({ manifest: '[1, 2]' });
    await expectRejection(readPackage(dir, LENIENT), 'manifest', 'manifest.schema');
  });

  it('accepts pre-release and build SemVer, and a trailing newline where Python `$` allows one', async () => {
    const dir = await writePackage({
      manifest: manifestText({
        ruleset_version: '1.0.0-rc.1+build.7',
        engine_contract_range: { min: '1.0.0\n', max: '2.0.0' },
      }),
    });
    await expect(readPackage(dir, LENIENT)).resolves.toBeDefined();
  });

  it('accepts string package ids that are not ULIDs (reference sanitisation), but not in strict mode', async () => {
    const fields = {
      package_id: '01JAR9WYH41R8TFM6Z0X5E7EDGE',
      dependencies: [{ package_id: 'not-a-ulid', version: '1.0.0' }],
    };
    const snapshot = await readPackage(await writePackage({ manifest: manifestText(fields) }), LENIENT);
    expect(snapshot.manifest.packageId).toBe('01JAR9WYH41R8TFM6Z0X5E7EDGE');
    const error = await expectRejection(
      readPackage(await writePackage({ manifest: manifestText(fields) }), STRICT),
      'manifest',
      'manifest.invalid_id',
    );
    expect(error.facts).toMatchObject({ pointer: '/package_id', stable_id: '01JAR9WYH41R8TFM6Z0X5E7EDGE' });
  });

  it('rejects a dependency id that is not a ULID in strict mode', async () => {
    const fields = { dependencies: [{ package_id: '01JAR9WYH41R8TFM6Z0X5E7QKL', version: '1.0.0' }] };
    const dir = await writePackage({ manifest: manifestText(fields) });
    const error = await expectRejection(readPackage(dir, STRICT), 'manifest', 'manifest.invalid_id');
    expect(error.facts.pointer).toBe('/dependencies/0/package_id');
  });

  it('lets the last duplicate key win, and rejects duplicates in strict mode', async () => {
    const text = manifestText().replace(
      '"ruleset_version"',
      '"ruleset_version": "9.9.9",\n  "ruleset_version"',
    );
    const snapshot = await readPackage(await writePackage({ manifest: text }), LENIENT);
    expect(snapshot.manifest.rulesetVersion).toBe('1.0.0');
    const error = await expectRejection(
      readPackage(await writePackage({ manifest: text }), STRICT),
      'manifest',
      'manifest.duplicate_key',
    );
    expect(error.facts.key).toBe('ruleset_version');
  });

  it('rejects a manifest that canonical JSON cannot hash (an integer beyond 64 bits)', async () => {
    const dir = await writePackage({
      manifest: manifestText().replace('"schema_version": 1', '"schema_version": 1e20'),
    });
    const error = await expectRejection(readPackage(dir, LENIENT), 'manifest', 'manifest.schema');
    expect(error.message).toContain('canonicalised');
  });
});
