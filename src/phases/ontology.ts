/**
 * Ontology phase (NOTES §2.4): `ontology/**\/*.json` (or `ontologies/`), each an object whose `tags` and
 * `affordances` arrays are read. Each item is normalised (slug `str(x).lower()` with `_` → `-`; synonyms
 * `str(x).lower()`), checked for required fields and against its schema; after all files, items are keyed by
 * (id, category): identical duplicates are dropped, different content is a conflict. Outputs keep file order,
 * tags before affordances; every item carries its whole file's normalised hash.
 */
import {
  CanonicalJsonError,
  canonicalHashHex,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  pythonJsonDumps,
  toPlain,
} from '../canonical/index.js';
import { PackageRejectedError } from '../errors.js';
import { checkSchema } from '../package/json-schemas.js';
import { parsePackageJson } from '../package/parse-package-json.js';
import {
  keepRecord,
  type PackageSnapshot,
  type PhaseRecord,
  type PlanOptions,
  type Seal,
  type SealedKeys,
} from './types.js';

type ItemKind = 'tag' | 'affordance';

interface KindRules {
  array: 'tags' | 'affordances';
  idField: 'tag_id' | 'affordance_id';
  required: readonly string[];
  /** Payload fields after id and category (reference `emit_seed_events`), `version` included. */
  payloadFields: readonly string[];
}

const RULES: Record<ItemKind, KindRules> = {
  tag: {
    array: 'tags',
    idField: 'tag_id',
    required: ['tag_id', 'category', 'slug', 'display_name', 'synonyms', 'audience', 'gating'],
    payloadFields: ['slug', 'display_name', 'synonyms', 'audience', 'gating'],
  },
  affordance: {
    array: 'affordances',
    idField: 'affordance_id',
    required: ['affordance_id', 'category', 'slug', 'applies_to', 'gating'],
    payloadFields: ['slug', 'applies_to', 'gating'],
  },
};

/** The reference takes `version` from the manifest, whose schema forbids that key: always the default. */
const ITEM_VERSION = '1.0.0';

interface OntologyItem {
  kind: ItemKind;
  item: JsonObject;
  id: string;
  category: string;
  path: string;
  fileHash: string;
}

export interface OntologyResult<T extends SealedKeys = PhaseRecord> {
  records: T[];
  /** Affordances that apply to tags the package does not define (not an error in the reference). */
  warnings: string[];
}

export function ontologyPhase<T extends SealedKeys = PhaseRecord>(
  snapshot: PackageSnapshot,
  options: PlanOptions,
  seal: Seal<T> = keepRecord<T>(),
): OntologyResult<T> {
  const items: Record<ItemKind, OntologyItem[]> = { tag: [], affordance: [] };
  for (const file of snapshot.ontology) {
    const { value, hash } = parsePackageJson(file, 'ontology', options.strict);
    if (!isJsonObject(value)) {
      throw invalid(
        file.path,
        'an ontology file must hold a JSON object with `tags` and/or `affordances` arrays',
      );
    }
    for (const kind of ['tag', 'affordance'] as const) {
      for (const raw of itemsOf(value, RULES[kind].array, file.path)) {
        items[kind].push(normaliseAndCheck(kind, raw, file.path, hash));
      }
    }
  }
  const tags = unique(items.tag);
  const affordances = unique(items.affordance);
  const packageId = snapshot.manifest.packageId;
  return {
    records: [...tags, ...affordances].map((item) => seal(toRecord(item, packageId))),
    warnings: unknownTagWarnings(affordances, new Set(items.tag.map((t) => t.id))),
  };
}

function invalid(path: string, detail: string, facts: Record<string, unknown> = {}): PackageRejectedError {
  return new PackageRejectedError('ontology', 'ontology.invalid', `${path}: ${detail}`, {
    file: path,
    ...facts,
  });
}

/** `payload.get(name, [])`, where Python iterates an empty string or object as no items. */
function itemsOf(file: JsonObject, name: string, path: string): JsonValue[] {
  const value = file[name];
  if (value === undefined) return [];
  if (Array.isArray(value)) return value;
  if (value === '' || (isJsonObject(value) && Object.keys(value).length === 0)) return [];
  throw invalid(path, `'${name}' must be an array`);
}

function normaliseAndCheck(kind: ItemKind, raw: JsonValue, path: string, fileHash: string): OntologyItem {
  const rules = RULES[kind];
  if (!isJsonObject(raw)) throw invalid(path, `every ${kind} must be a JSON object`);
  const item: JsonObject = Object.assign(Object.create(null) as JsonObject, raw);
  if ('slug' in item)
    item.slug = pyStr(item.slug as JsonValue)
      .toLowerCase()
      .replaceAll('_', '-');
  for (const field of rules.required) {
    if (!(field in item))
      throw invalid(path, `missing required field '${field}' in ${kind} ${idText(item, rules)}`);
  }
  if (kind === 'tag' && Array.isArray(item.synonyms)) {
    item.synonyms = item.synonyms.map((synonym) => pyStr(synonym).toLowerCase());
  }
  const violation = checkSchema(kind, toPlain(item));
  if (violation) {
    throw invalid(path, `${kind} ${idText(item, rules)}: ${violation.message}`, {
      stable_id: typeof item[rules.idField] === 'string' ? item[rules.idField] : undefined,
      pointer: violation.pointer,
      rule: violation.rule,
    });
  }
  return {
    kind,
    item,
    id: item[rules.idField] as string,
    category: item.category as string,
    path,
    fileHash,
  };
}

function idText(item: JsonObject, rules: KindRules): string {
  const id = item[rules.idField];
  return typeof id === 'string' ? id : '(without id)';
}

/** First of each (id, category) kept; a later one with different content (provenance aside) is a conflict. */
function unique(items: readonly OntologyItem[]): OntologyItem[] {
  const seen = new Map<string, { item: OntologyItem; hash: string }>();
  const kept: OntologyItem[] = [];
  for (const item of items) {
    const hash = contentHash(item);
    const key = JSON.stringify([item.id, item.category]);
    const existing = seen.get(key);
    if (!existing) {
      seen.set(key, { item, hash });
      kept.push(item);
    } else if (existing.hash !== hash) {
      throw new PackageRejectedError(
        'ontology',
        'ontology.conflict',
        `${item.kind} ${item.id} in category ${item.category} is defined twice with different content: ${existing.item.path} (${existing.hash}) and ${item.path} (${hash})`,
        {
          stable_id: item.id,
          category: item.category,
          file: item.path,
          actual_hash: hash,
          existing_file: existing.item.path,
          existing_hash: existing.hash,
        },
      );
    }
  }
  return kept;
}

/** Canonical hash of the normalised item without `provenance` (nulls drop out, so null equals absent). */
function contentHash({ kind, item, id, path }: OntologyItem): string {
  const { provenance: _provenance, ...content } = item;
  try {
    return canonicalHashHex(content);
  } catch (error) {
    if (!(error instanceof CanonicalJsonError)) throw error;
    throw invalid(path, `${kind} ${id} cannot be canonicalised: ${error.message}`, { stable_id: id });
  }
}

function unknownTagWarnings(affordances: readonly OntologyItem[], tagIds: ReadonlySet<string>): string[] {
  const warnings: string[] = [];
  for (const { item, id, path } of affordances) {
    for (const target of item.applies_to as string[]) {
      if (target.startsWith('tag:') && !tagIds.has(target.slice(4))) {
        warnings.push(
          `${path}: affordance ${id} applies to tag ${target.slice(4)}, which the package does not define`,
        );
      }
    }
  }
  return warnings;
}

function toRecord(
  { kind, item, id, category, path, fileHash }: OntologyItem,
  packageId: string,
): PhaseRecord {
  const rules = RULES[kind];
  const payload: Record<string, unknown> = { [rules.idField]: id, category, version: ITEM_VERSION };
  for (const field of rules.payloadFields) payload[field] = item[field];
  if ('metadata' in item) payload.metadata = item.metadata;
  payload.provenance = { package_id: packageId, source_path: path, file_hash: fileHash };
  return {
    kind,
    stableId: id,
    category,
    objectType: kind,
    contentHash: fileHash,
    sourcePath: path,
    fileHash,
    payload,
  };
}

/** Python's `str(value)` for a parsed JSON value. */
function pyStr(value: JsonValue): string {
  return typeof value === 'string' ? value : pyRepr(value);
}

/** Python's `repr(value)` for a parsed JSON value (what `str()` gives for lists and dicts). */
function pyRepr(value: JsonValue): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return pyStringRepr(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (isJsonObject(value)) {
    return `{${Object.keys(value)
      .map((key) => `${pyStringRepr(key)}: ${pyRepr(value[key] as JsonValue)}`)
      .join(', ')}}`;
  }
  if (value.isInteger) return BigInt(value.text).toString();
  const text = pythonJsonDumps(value);
  return PY_FLOAT_WORDS[text] ?? text;
}

const PY_FLOAT_WORDS: Record<string, string> = { NaN: 'nan', Infinity: 'inf', '-Infinity': '-inf' };
const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;
const SHORT_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function pyStringRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (ch === quote) out += `\\${ch}`;
    else if (SHORT_ESCAPES[ch]) out += SHORT_ESCAPES[ch];
    else if (ch !== ' ' && NOT_PRINTABLE.test(ch)) {
      if (cp <= 0xff) out += `\\x${cp.toString(16).padStart(2, '0')}`;
      else if (cp <= 0xffff) out += `\\u${cp.toString(16).padStart(4, '0')}`;
      else out += `\\U${cp.toString(16).padStart(8, '0')}`;
    } else out += ch;
  }
  return out + quote;
}
