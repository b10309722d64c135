/**
 * The YAML front matter of a lore file (NOTES §1.7): extraction, YAML 1.1 loading, then the reference's checks
 * in the reference's order (required keys, chunk_id, title, audience, tags, embedding_hint, provenance), then
 * the JSON Schema. Every refusal names the package-relative file and the field.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { codePointLength, pyStrip } from '../canonical/index.js';
import { type ErrorFacts, PackageRejectedError } from '../errors.js';
import { pythonRegExp } from '../package/python-regexp.js';
import { loadYaml, YamlLoadError } from './lore-yaml.js';

export const AUDIENCES: readonly string[] = ['Adult', 'GM-Only', 'Player', 'Teen'];
export const MAX_EMBEDDING_HINT_CHARS = 128;
/** The reference lets this placeholder through as `provenance.manifest_hash` (its tests use it). */
export const TEST_MANIFEST_HASH_SENTINEL = 'TEST_MANIFEST_HASH';

export interface FrontMatter {
  chunkId: string;
  title: string;
  audience: string;
  /** As written (order kept). */
  tags: string[];
  embeddingHint: string | undefined;
}

export interface LoreDocument {
  frontMatter: FrontMatter;
  /** Everything after the closing `---` line. */
  body: string;
}

const CHUNK_ID_PATTERN = '^[A-Z0-9][A-Z0-9_-]*[A-Z0-9]$';
const TAG_PATTERN = '^[a-z][a-z0-9_]*:[a-z0-9_-]+$';
// Python regexes: a final `$` also matches before one trailing newline (the reference uses `re.match`).
const CHUNK_ID = pythonRegExp(CHUNK_ID_PATTERN, 'u');
const TAG = pythonRegExp(TAG_PATTERN, 'u');
const MANIFEST_HASH = pythonRegExp('^[a-f0-9]{64}$', 'u');
/** `^---\n(.*?)\n---\n` in DOTALL mode, anchored at the start of the text. */
const FRONT_MATTER_BLOCK = /^---\n([\s\S]*?)\n---\n/;

/** Compiled on first use (~70 ms): a command that loads this module without lore to read does not pay it. */
let compiledSchema: ValidateFunction | undefined;
function frontMatterSchema(): ValidateFunction {
  if (!compiledSchema) {
    const ajv = new Ajv2020({ allErrors: false, strict: true, code: { regExp: pythonRegExp } });
    const schemaUrl = new URL('../../schemas/chunk-front-matter.schema.json', import.meta.url);
    compiledSchema = ajv.compile(JSON.parse(readFileSync(schemaUrl, 'utf8')));
  }
  return compiledSchema;
}

/** Splits a decoded lore file into its validated front matter and its body. */
export function readLoreDocument(text: string, file: string, options: { strict: boolean }): LoreDocument {
  const block = FRONT_MATTER_BLOCK.exec(text);
  if (!block) {
    // A byte order mark (some Windows editors write one) is a character before the '---': say so, it is invisible.
    const bom = text.startsWith('\uFEFF')
      ? ' (this file starts with a UTF-8 byte order mark, U+FEFF: remove it)'
      : '';
    throw frontMatterError(
      file,
      `${file}: missing YAML front matter: the file must start with a line '---' and the front matter must end with a line '---'${bom}`,
      {},
    );
  }
  const source = block[1] ?? '';
  const value = loadFrontMatter(source, file, options);
  return { frontMatter: checkFrontMatter(value, file), body: text.slice(block[0].length) };
}

function loadFrontMatter(source: string, file: string, options: { strict: boolean }): unknown {
  let loaded: ReturnType<typeof loadYaml>;
  try {
    loaded = loadYaml(source);
  } catch (error) {
    if (!(error instanceof YamlLoadError)) throw error;
    const where = error.offset === undefined ? undefined : fileLineColumn(source, error.offset);
    const at = where ? ` at line ${where.line}, column ${where.column}` : '';
    const message = `${file}: invalid YAML front matter${at}: ${error.message}`;
    throw new PackageRejectedError('lore', 'lore.parse', message, { file, ...where });
  }
  const duplicate = loaded.duplicateKeys[0];
  if (options.strict && duplicate) {
    const where = fileLineColumn(source, duplicate.offset);
    throw new PackageRejectedError(
      'lore',
      'lore.duplicate_key',
      `${file}: duplicate key '${duplicate.key}' in the front matter at line ${where.line}, column ${where.column}`,
      { file, field: duplicate.key, ...where },
    );
  }
  return loaded.value;
}

/** Position in the .md file: the front matter starts on line 2, after the opening `---`. */
function fileLineColumn(source: string, offset: number): { line: number; column: number } {
  const before = source.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  let line = 2;
  for (let i = before.indexOf('\n'); i !== -1; i = before.indexOf('\n', i + 1)) line += 1;
  return { line, column: codePointLength(before.slice(lineStart)) + 1 };
}

function checkFrontMatter(value: unknown, file: string): FrontMatter {
  if (!isMapping(value)) {
    throw frontMatterError(
      file,
      `${file}: the front matter must be a YAML mapping, not ${describe(value)}`,
      {},
    );
  }
  for (const field of ['chunk_id', 'title', 'audience', 'tags']) {
    if (!Object.hasOwn(value, field)) {
      throw frontMatterError(file, `${file}: the front matter is missing the required field '${field}'`, {
        field,
      });
    }
  }
  const { chunk_id: chunkId, title, audience, tags } = value;
  if (typeof chunkId !== 'string' || !CHUNK_ID.test(chunkId)) {
    throw invalidField(file, 'chunk_id', chunkId, `a string matching ${CHUNK_ID_PATTERN}`);
  }
  if (typeof title !== 'string' || pyStrip(title) === '') {
    throw invalidField(file, 'title', title, 'a non-blank string');
  }
  if (typeof audience !== 'string' || !AUDIENCES.includes(audience)) {
    throw invalidField(file, 'audience', audience, `one of ${AUDIENCES.join(', ')}`);
  }
  if (!Array.isArray(tags)) throw invalidField(file, 'tags', tags, 'a list');
  tags.forEach((tag: unknown, index) => {
    if (typeof tag !== 'string' || !TAG.test(tag)) {
      throw invalidField(file, `tags[${index}]`, tag, `a lower-case ASCII tag matching ${TAG_PATTERN}`);
    }
  });
  const hint = value.embedding_hint;
  if (Object.hasOwn(value, 'embedding_hint')) {
    if (typeof hint !== 'string') throw invalidField(file, 'embedding_hint', hint, 'a string');
    const length = codePointLength(hint);
    if (length > MAX_EMBEDDING_HINT_CHARS) {
      throw frontMatterError(
        file,
        `${file}: embedding_hint in the front matter is ${length} characters long; at most ${MAX_EMBEDDING_HINT_CHARS} are allowed`,
        { field: 'embedding_hint' },
      );
    }
  }
  if (Object.hasOwn(value, 'provenance')) checkProvenance(value.provenance, file);
  checkSchema(value, file);
  return {
    chunkId,
    title,
    audience,
    tags: [...(tags as string[])],
    embeddingHint: hint as string | undefined,
  };
}

function checkProvenance(provenance: unknown, file: string): void {
  if (!isMapping(provenance)) throw invalidField(file, 'provenance', provenance, 'a mapping');
  for (const field of ['manifest_hash', 'source_path']) {
    if (!Object.hasOwn(provenance, field)) {
      const path = `provenance.${field}`;
      throw frontMatterError(file, `${file}: the front matter is missing the required field '${path}'`, {
        field: path,
      });
    }
  }
  const { manifest_hash: manifestHash, source_path: sourcePath } = provenance;
  if (
    typeof manifestHash !== 'string' ||
    (manifestHash !== TEST_MANIFEST_HASH_SENTINEL && !MANIFEST_HASH.test(manifestHash))
  ) {
    throw invalidField(file, 'provenance.manifest_hash', manifestHash, '64 lower-case hexadecimal digits');
  }
  if (typeof sourcePath !== 'string' || pyStrip(sourcePath) === '') {
    throw invalidField(file, 'provenance.source_path', sourcePath, 'a non-blank string');
  }
}

/** The schema check runs on a copy in which the test sentinel reads as 64 zeros, as in the reference. */
function checkSchema(frontMatter: Record<string, unknown>, file: string): void {
  const provenance = frontMatter.provenance;
  const subject =
    isMapping(provenance) && provenance.manifest_hash === TEST_MANIFEST_HASH_SENTINEL
      ? { ...frontMatter, provenance: { ...provenance, manifest_hash: '0'.repeat(64) } }
      : frontMatter;
  const validate = frontMatterSchema();
  if (validate(subject)) return;
  const error = validate.errors?.[0];
  const field = error ? schemaField(error) : '';
  const problem =
    error?.keyword === 'additionalProperties' ? 'is not an allowed field' : (error?.message ?? 'is invalid');
  throw frontMatterError(file, `${file}: front matter field '${field}' ${problem}`, { field });
}

/** `/tags/1` → `tags[1]`; an unknown key names itself. */
function schemaField(error: ErrorObject): string {
  const parts = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'));
  if (error.keyword === 'additionalProperties') parts.push(String(error.params.additionalProperty));
  return parts.reduce(
    (path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part),
    '',
  );
}

function isMapping(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** How a YAML 1.1 value reads, for messages: unquoted yes/no, numbers and dates are not strings. */
function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined) return 'an empty value';
  if (typeof value === 'boolean')
    return `the boolean ${value} (unquoted yes/no/on/off are booleans in YAML 1.1)`;
  if (typeof value === 'number') return `the number ${value} (unquoted)`;
  if (value instanceof Date) return 'a date (unquoted)';
  if (Array.isArray(value)) return 'a list';
  if (isMapping(value)) return 'a mapping';
  return 'a value of another type';
}

function invalidField(file: string, field: string, value: unknown, expected: string): PackageRejectedError {
  return frontMatterError(
    file,
    `${file}: invalid ${field} in the front matter: ${describe(value)}; expected ${expected}`,
    {
      field,
    },
  );
}

function frontMatterError(file: string, message: string, facts: ErrorFacts): PackageRejectedError {
  return new PackageRejectedError('lore', 'lore.front_matter', message, { file, ...facts });
}
