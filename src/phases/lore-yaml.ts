/**
 * Loads a front-matter block the way the reference does, with PyYAML's `safe_load`: YAML 1.1, plain scalars
 * typed by PyYAML's own resolver patterns, the last of two equal keys wins. The `yaml` package's 1.1 schema is
 * close but not the same (it reads `y`/`n` as booleans, `1e5` and `09` as numbers, `2024-1-5` as a date, where
 * PyYAML keeps strings), so the scalar rules are replaced here. Only the *type* of a value matters to the
 * front-matter checks, and that type must be the one Python sees.
 *
 * Where PyYAML raises, this raises `YamlLoadError`: unknown tags, collection keys ("unhashable key"), the
 * `=` value scalar, impossible dates. Aliases are counted (`MAX_ALIAS_COUNT`) so that an alias bomb is refused
 * instead of being expanded by later checks.
 */
import {
  isAlias,
  isCollection,
  parseDocument,
  type ScalarTag,
  type Tags,
  visit,
  type YAMLError,
  type Node as YamlNode,
} from 'yaml';
import { readSimpleYaml } from './simple-yaml.js';

/** The `yaml` package's default: enough for any honest front matter, far too little for a billion laughs. */
export const MAX_ALIAS_COUNT = 100;

export class YamlLoadError extends Error {
  /** Offset in the YAML source (UTF-16 units), when the problem has a place. */
  readonly offset: number | undefined;
  constructor(message: string, offset: number | undefined) {
    super(message);
    this.name = 'YamlLoadError';
    this.offset = offset;
  }
}

export interface YamlDuplicateKey {
  key: string;
  offset: number;
}

export interface LoadedYaml {
  value: unknown;
  /** Keys given twice in one mapping (the later value was kept). */
  duplicateKeys: YamlDuplicateKey[];
}

export function loadYaml(source: string): LoadedYaml {
  const simple = readSimpleYaml(source);
  return simple ? { value: simple, duplicateKeys: [] } : parseYaml(source);
}

/** `loadYaml` with the YAML parser, whatever the shape of the source. */
export function parseYaml(source: string): LoadedYaml {
  const doc = parseDocument(source, {
    version: '1.1',
    customTags: pythonScalarTags,
    uniqueKeys: true,
    prettyErrors: false,
  });
  const duplicateKeys: YamlDuplicateKey[] = [];
  for (const error of doc.errors) {
    if (error.code !== 'DUPLICATE_KEY') throw fromYamlError(error, unclosedFlowStart(doc, error));
    const offset = error.pos[0];
    duplicateKeys.push({ key: keyTextAt(source, offset), offset });
  }
  // The `yaml` package only warns about tags it cannot resolve; PyYAML's SafeLoader refuses them.
  const unresolved = doc.warnings.find((warning) => warning.code === 'TAG_RESOLVE_FAILED');
  if (unresolved) throw fromYamlError(unresolved);
  rejectCollectionKeys(doc);
  try {
    return { value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), duplicateKeys };
  } catch (error) {
    // Too many aliases (ReferenceError) or nesting too deep for the converter (RangeError).
    throw new YamlLoadError(error instanceof Error ? error.message : String(error), undefined);
  }
}

function fromYamlError(error: YAMLError, offset = error.pos[0]): YamlLoadError {
  return new YamlLoadError(error.message, offset);
}

/**
 * Where a flow collection that is never closed opens (`tags: [a, b` then the next key): the parser notices it
 * only where the next line starts, but what the author must fix is the `[` or `{` (the innermost, when several
 * are open).
 */
function unclosedFlowStart(doc: ReturnType<typeof parseDocument>, error: YAMLError): number | undefined {
  if (error.code !== 'BAD_INDENT' && error.code !== 'MISSING_CHAR') return undefined;
  let start: number | undefined;
  visit(doc, {
    Collection(_, node) {
      const range = node.range;
      if (node.flow && range && range[1] === error.pos[0] && (start === undefined || range[0] > start)) {
        start = range[0];
      }
    },
  });
  return start;
}

/** The text of a key for a message: up to the `:` that follows it. */
function keyTextAt(source: string, offset: number): string {
  const match = /^[^:\n]*/.exec(source.slice(offset));
  return (match?.[0] ?? '').trim();
}

/** PyYAML cannot use a list or mapping as a key ("found unhashable key"); `yaml` would stringify it. */
function rejectCollectionKeys(doc: ReturnType<typeof parseDocument>): void {
  visit(doc, {
    Pair(_, pair) {
      const key = pair.key;
      const target = isAlias(key) ? key.resolve(doc) : key;
      if (isCollection(target)) {
        const offset = (key as YamlNode).range?.[0];
        throw new YamlLoadError('found unhashable key: a list or mapping cannot be a key', offset);
      }
    },
  });
}

const PY_BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const PY_FLOAT =
  /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const PY_INT =
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const PY_TIMESTAMP =
  /^(?:([0-9]{4})-([0-9]{2})-([0-9]{2})|([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]*))?(?:[ \t]*(Z|([-+])([0-9]{1,2})(?::([0-9]{2}))?))?)$/;

/** Base-60 digits as PyYAML reads them: `1:30` is 90. */
function sexagesimal(text: string): number {
  return text.split(':').reduce((total, part) => total * 60 + Number(part), 0);
}

function resolveInt(raw: string): number {
  const sign = raw.startsWith('-') ? -1 : 1;
  const digits = raw.replace(/^[-+]/, '').replaceAll('_', '');
  if (digits.startsWith('0b')) return sign * Number.parseInt(digits.slice(2), 2);
  if (digits.startsWith('0x')) return sign * Number.parseInt(digits.slice(2), 16);
  if (digits.includes(':')) return sign * sexagesimal(digits);
  if (digits.length > 1 && digits.startsWith('0')) return sign * Number.parseInt(digits, 8);
  return sign * Number(digits);
}

function resolveFloat(raw: string): number {
  const lower = raw.toLowerCase();
  if (lower.endsWith('.nan')) return Number.NaN;
  const sign = raw.startsWith('-') ? -1 : 1;
  if (lower.endsWith('.inf')) return sign * Number.POSITIVE_INFINITY;
  const digits = raw.replace(/^[-+]/, '').replaceAll('_', '');
  return sign * (digits.includes(':') ? sexagesimal(digits) : Number(digits));
}

/** Python's `date`/`datetime` constructors refuse impossible fields; so does this. */
function resolveTimestamp(raw: string, onError: (message: string) => void): Date {
  const m = PY_TIMESTAMP.exec(raw) ?? [];
  const field = (i: number): number => Number(m[i] ?? 0);
  const [year, month, day] =
    m[1] === undefined ? [field(4), field(5), field(6)] : [field(1), field(2), field(3)];
  const [hour, minute, second] = [field(7), field(8), field(9)];
  const millis = Math.floor(Number(`0.${m[10] ?? ''}0`) * 1000);
  const offsetMinutes = field(13) * 60 + field(14);
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  const valid =
    year >= 1 &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    hour < 24 &&
    minute < 60 &&
    second < 60 &&
    offsetMinutes < 24 * 60;
  if (!valid) onError(`impossible date or time '${raw}'`);
  date.setUTCHours(hour, minute - (m[12] === '-' ? -offsetMinutes : offsetMinutes), second, millis);
  return date;
}

const PYTHON_SCALARS: ScalarTag[] = [
  {
    tag: 'tag:yaml.org,2002:bool',
    default: true,
    test: PY_BOOL,
    resolve: (raw) => /^(?:yes|true|on)$/i.test(raw),
  },
  { tag: 'tag:yaml.org,2002:float', default: true, test: PY_FLOAT, resolve: resolveFloat },
  { tag: 'tag:yaml.org,2002:int', default: true, test: PY_INT, resolve: resolveInt },
  { tag: 'tag:yaml.org,2002:timestamp', default: true, test: PY_TIMESTAMP, resolve: resolveTimestamp },
  {
    // YAML 1.1's `=` "value" type: PyYAML resolves it but SafeLoader has no constructor for it.
    tag: 'tag:yaml.org,2002:value',
    default: true,
    test: /^=$/,
    resolve: (raw, onError) => {
      onError("could not determine a constructor for the tag 'tag:yaml.org,2002:value'");
      return raw;
    },
  },
];

const REPLACED_TAGS = new Set(PYTHON_SCALARS.map((tag) => tag.tag));

/** The `yaml` package's 1.1 tags (maps, sequences, strings, null, binary, merge, omap, pairs, set) + ours. */
function pythonScalarTags(tags: Tags): Tags {
  return [...tags.filter((tag) => typeof tag === 'string' || !REPLACED_TAGS.has(tag.tag)), ...PYTHON_SCALARS];
}
