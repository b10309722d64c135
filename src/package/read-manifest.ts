/**
 * `package.manifest.json`: read, parse (like Python's json.load: no NFC, a BOM is an error, last duplicate key
 * wins), check against schemas/manifest.schema.json and hash. content_index is verified elsewhere.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  CanonicalJsonError,
  canonicalHashHex,
  isJsonObject,
  JsonDuplicateKeyError,
  type JsonObject,
  JsonSyntaxError,
  type JsonValue,
  nfc,
  parseJson,
  sha256Hex,
  toPlain,
} from '../canonical/index.js';
import { PackageRejectedError } from '../errors.js';
import { decodeText, InvalidUtf8Error } from './decode-text.js';
import { checkSchema } from './json-schemas.js';
import { describeFsError, errorCode, resolveInside } from './resolve-path.js';
import { isUlid } from './ulid.js';

export const MANIFEST_FILE = 'package.manifest.json';

/** What the schema requires of `package_id` (the reference replaces other strings by a placeholder first). */
const SCHEMA_PACKAGE_ID = /^[0-9][0-9A-HJKMNP-TV-Z]{25}$/;
const PLACEHOLDER_PACKAGE_ID = '01J00000000000000000000000';

export interface LoadedManifest {
  raw: JsonObject;
  rawHash: string;
  /** Canonical hash; undefined when the manifest cannot be canonicalised (`hashError` says why). */
  manifestHash: string | undefined;
  hashError: CanonicalJsonError | undefined;
}

export function loadManifest(rootReal: string, strict: boolean): LoadedManifest {
  const bytes = readManifestBytes(rootReal);
  const raw = parseManifest(bytes, strict);
  let manifestHash: string | undefined;
  let hashError: CanonicalJsonError | undefined;
  try {
    manifestHash = canonicalHashHex(raw);
  } catch (error) {
    if (!(error instanceof CanonicalJsonError)) throw error;
    hashError = error;
  }
  checkManifest(raw, strict, manifestHash);
  return { raw, rawHash: sha256Hex(bytes), manifestHash, hashError };
}

/**
 * What the import requires of a parsed manifest beyond its syntax: the schema and, in strict mode, real ULIDs.
 * Throws the rejection the import gives (`manifestHash`, when known, is among its facts).
 */
export function checkManifest(raw: JsonObject, strict: boolean, manifestHash?: string): void {
  const facts = {
    file: MANIFEST_FILE,
    ...(typeof raw.package_id === 'string' ? { package_id: raw.package_id } : {}),
    ...(manifestHash ? { manifest_hash: manifestHash } : {}),
  };
  const violation = checkSchema('manifest', sanitizedForSchema(withPlainIndexChecked(raw)));
  if (violation) {
    throw new PackageRejectedError('manifest', 'manifest.schema', `${MANIFEST_FILE}: ${violation.message}`, {
      ...facts,
      pointer: violation.pointer,
      rule: violation.rule,
    });
  }
  rejectNameCollision(raw, facts);
  if (strict) rejectFakeIds(raw, facts);
}

/**
 * Two content_index keys that differ only in Unicode normalisation form (`é` composed, and `e` + U+0301 as macOS
 * writes file names) are one key in the canonical JSON the manifest hash is taken of (NFC keys, the last one
 * wins): the hash would not cover one of the two files. Refused, naming both (they print alike: the second is
 * described). Only a key that is not NFC can collide, so the usual index costs one quick test per key.
 */
function rejectNameCollision(raw: JsonObject, facts: Record<string, string>): void {
  const index = raw.content_index;
  if (!isJsonObject(index)) return;
  const seen = new Map<string, string>();
  for (const key of Object.keys(index)) {
    const composed = nfc(key);
    if (composed === key) continue;
    const other = Object.hasOwn(index, composed) ? composed : seen.get(composed);
    if (other !== undefined) {
      throw new PackageRejectedError(
        'manifest',
        'package.name_collision',
        `${MANIFEST_FILE}: content_index lists ${JSON.stringify(other)} twice, in two Unicode normalisation forms ` +
          `(one of them ${describeForm(key)}): the manifest hash covers one name per NFC form, so one of the two ` +
          'files would not be covered; rename or remove one of them',
        { ...facts, files: [other, key] },
      );
    }
    seen.set(composed, key);
  }
}

/** How a name that is not NFC is written: its combining marks as code points. */
function describeForm(name: string): string {
  const marks = [...new Set(name.match(/\p{M}/gu) ?? [])].map(
    (mark) => `U+${(mark.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`,
  );
  return marks.length > 0 ? `decomposed, with ${marks.join(', ')}` : 'not in NFC';
}

function readManifestBytes(rootReal: string): Buffer {
  const resolution = resolveInside(rootReal, MANIFEST_FILE);
  if (resolution.kind === 'outside') {
    throw new PackageRejectedError(
      'manifest',
      'package.path_escape',
      `${MANIFEST_FILE}: resolves outside the package directory`,
      { file: MANIFEST_FILE },
    );
  }
  const absolute = resolution.kind === 'inside' ? resolution.absolute : path.join(rootReal, MANIFEST_FILE);
  try {
    return readFileSync(absolute);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') {
      throw new PackageRejectedError(
        'manifest',
        'manifest.not_found',
        `${MANIFEST_FILE}: not found at the package root`,
        { file: MANIFEST_FILE },
      );
    }
    throw new PackageRejectedError(
      'manifest',
      'package.read_error',
      `${MANIFEST_FILE}: cannot be read (${describeFsError(error)})`,
      { file: MANIFEST_FILE },
    );
  }
}

function parseManifest(bytes: Buffer, strict: boolean): JsonObject {
  let value: JsonValue;
  try {
    // Python's json.load reads in text mode: strict UTF-8 and universal newlines, but no NFC.
    const text = decodeText(bytes, { nfc: false }).text;
    value = parseJson(text, { duplicateKeys: strict ? 'reject' : 'last-wins' });
  } catch (error) {
    if (error instanceof JsonDuplicateKeyError) {
      throw new PackageRejectedError(
        'manifest',
        'manifest.duplicate_key',
        `${MANIFEST_FILE}: duplicate key '${error.key}' at line ${error.line} column ${error.column}`,
        { file: MANIFEST_FILE, key: error.key, line: error.line, column: error.column },
      );
    }
    if (error instanceof JsonSyntaxError) {
      throw new PackageRejectedError(
        'manifest',
        'manifest.invalid_json',
        `${MANIFEST_FILE}: invalid JSON: ${error.message}`,
        {
          file: MANIFEST_FILE,
          line: error.line,
          column: error.column,
        },
      );
    }
    if (error instanceof InvalidUtf8Error) {
      throw new PackageRejectedError(
        'manifest',
        'manifest.invalid_json',
        `${MANIFEST_FILE}: ${error.message}`,
        {
          file: MANIFEST_FILE,
          byte_offset: error.offset,
        },
      );
    }
    throw error;
  }
  if (!isJsonObject(value)) {
    throw new PackageRejectedError(
      'manifest',
      'manifest.schema',
      `${MANIFEST_FILE}: /: must be object (type)`,
      {
        file: MANIFEST_FILE,
        pointer: '/',
        rule: 'type',
      },
    );
  }
  return value;
}

/**
 * content_index is most of a big manifest (one entry per file). When every entry is plainly valid (a key that does
 * not start with `/` and holds no line break, 64 hex digits) the schema sees the manifest with an empty index:
 * several times cheaper than its patterns per entry. One entry that is not plainly valid sends the whole manifest
 * through the schema, so every rejection still reads as the schema words it.
 */
function withPlainIndexChecked(raw: JsonObject): JsonObject {
  const index = raw.content_index;
  if (!isJsonObject(index)) return raw;
  for (const key of Object.keys(index)) {
    const value = index[key];
    const plain =
      key.length > 0 &&
      key.charCodeAt(0) !== SLASH &&
      !key.includes('\n') &&
      typeof value === 'string' &&
      HEX_SHA256.test(value);
    if (!plain) return raw;
  }
  const view: JsonObject = Object.create(null);
  for (const key of Object.keys(raw)) view[key] = raw[key] as JsonValue;
  view.content_index = Object.create(null) as JsonObject;
  return view;
}

const SLASH = 0x2f;
const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

/** A plain copy for ajv in which string package ids that are not ULIDs become a placeholder (reference behaviour). */
function sanitizedForSchema(raw: JsonObject): unknown {
  const copy = toPlain(raw) as Record<string, unknown>;
  copy.package_id = sanitizedId(copy.package_id);
  if (Array.isArray(copy.dependencies)) {
    for (const dependency of copy.dependencies) {
      if (typeof dependency === 'object' && dependency !== null && !Array.isArray(dependency)) {
        const record = dependency as Record<string, unknown>;
        if ('package_id' in record) record.package_id = sanitizedId(record.package_id);
      }
    }
  }
  return copy;
}

function sanitizedId(value: unknown): unknown {
  return typeof value === 'string' && !SCHEMA_PACKAGE_ID.test(value) ? PLACEHOLDER_PACKAGE_ID : value;
}

function rejectFakeIds(raw: JsonObject, facts: Record<string, unknown>): void {
  const ids: [string, JsonValue | undefined][] = [['/package_id', raw.package_id]];
  const dependencies = raw.dependencies;
  if (Array.isArray(dependencies)) {
    dependencies.forEach((dependency, index) => {
      if (isJsonObject(dependency)) ids.push([`/dependencies/${index}/package_id`, dependency.package_id]);
    });
  }
  for (const [pointer, id] of ids) {
    if (!isUlid(id)) {
      throw new PackageRejectedError(
        'manifest',
        'manifest.invalid_id',
        `${MANIFEST_FILE}: ${pointer} '${String(id)}' is not a ULID (26 Crockford base-32 characters, first 0-7)`,
        { ...facts, pointer, stable_id: typeof id === 'string' ? id : undefined },
      );
    }
  }
}
