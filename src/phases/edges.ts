/**
 * Edge phase (NOTES §2.3): `edges/**\/*.json` hold one edge object or an array of them; record `idx` of a file is
 * addressed as `edges/x.json#idx`. The reference's checks in its order (taxonomy type, required attributes,
 * validity, entity references, stable_id), a per-record hash over Python's `json.dumps(sort_keys, compact)`,
 * collisions by stable_id in file-then-record order, then sorting by (type, src_ref, dst_ref, source_path).
 * Strict mode adds real ULIDs and schemas/edge.schema.json.
 */
import {
  compareCodePoints,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  pythonJsonDumps,
  sha256Hex,
} from '../canonical/index.js';
import { type ErrorFacts, PackageRejectedError, type RejectionCode } from '../errors.js';
import { describeValue } from '../package/describe-value.js';
import { parsePackageJson } from '../package/parse-package-json.js';
import { EDGE_TAXONOMY } from './edge-taxonomy.js';
import { checkStrictObject } from './strict-checks.js';
import {
  keepRecord,
  type PackageSnapshot,
  type PhaseRecord,
  type PlanOptions,
  type Seal,
  type SealedKeys,
} from './types.js';

/** Each taxonomy type's own name string, so that an edge keeps it, not a slice of its file's text. */
const TYPE_NAMES = new Map([...EDGE_TAXONOMY.keys()].map((type) => [type, type]));

interface ParsedEdge {
  record: JsonObject;
  stableId: string;
  type: string;
  sourcePath: string;
  hash: string;
  /** `src_ref` and `dst_ref` as the reference sorts them (`edge.get(field, "")`: '' unless an entity's id). */
  srcRef: string;
  dstRef: string;
}

/** What the phase keeps of an edge until it has read every file: the sealed record and its sort keys. */
type KeptEdge<T> = Pick<ParsedEdge, 'type' | 'srcRef' | 'dstRef'> & { sealed: T };

export function edgePhase<T extends SealedKeys = PhaseRecord>(
  snapshot: PackageSnapshot,
  /** The package's entities (only their ids are used). */
  entities: readonly Pick<PhaseRecord, 'stableId'>[],
  options: PlanOptions,
  seal: Seal<T> = keepRecord<T>(),
): T[] {
  const { contentIndex, packageId } = snapshot.manifest;
  const known = new Map(entities.map(({ stableId }) => [stableId, stableId]));
  const kept = new Map<string, KeptEdge<T>>();

  for (const file of snapshot.edges) {
    const { value } = parsePackageJson(file, 'edge', options.strict);
    let records: JsonValue[];
    if (Array.isArray(value)) records = value;
    else if (isJsonObject(value)) records = [value];
    else {
      throw new PackageRejectedError(
        'edge',
        'edge.invalid',
        `${file.path}: an edge file must hold an edge object or an array of edge objects`,
        { file: file.path },
      );
    }
    records.forEach((record, index) => {
      const edge = checkEdge(record, `${file.path}#${index}`, known, contentIndex, options);
      const existing = kept.get(edge.stableId)?.sealed;
      if (!existing) {
        const sealed = seal(toRecord(edge, packageId));
        const { type, srcRef, dstRef } = edge;
        kept.set(sealed.stableId, { sealed, type, srcRef, dstRef });
      } else if (existing.contentHash !== edge.hash) {
        throw new PackageRejectedError(
          'edge',
          'edge.collision',
          `edge ${edge.stableId} is defined twice with different content: ${existing.sourcePath} (${existing.contentHash}) and ${edge.sourcePath} (${edge.hash})`,
          {
            stable_id: edge.stableId,
            file: edge.sourcePath,
            actual_hash: edge.hash,
            existing_file: existing.sourcePath,
            existing_hash: existing.contentHash,
          },
        );
      }
    });
  }

  return [...kept.values()]
    .sort(
      (a, b) =>
        compareCodePoints(a.type, b.type) ||
        compareCodePoints(a.srcRef, b.srcRef) ||
        compareCodePoints(a.dstRef, b.dstRef) ||
        compareCodePoints(a.sealed.sourcePath, b.sealed.sourcePath),
    )
    .map((edge) => edge.sealed);
}

/** The checks of one record, in the reference's order. */
function checkEdge(
  value: JsonValue,
  sourcePath: string,
  known: ReadonlyMap<string, string>,
  contentIndex: ReadonlyMap<string, string>,
  options: PlanOptions,
): ParsedEdge {
  const fail = (code: RejectionCode, detail: string, facts: ErrorFacts = {}): PackageRejectedError =>
    new PackageRejectedError('edge', code, `${sourcePath}: ${detail}`, { file: sourcePath, ...facts });
  if (!isJsonObject(value)) throw fail('edge.invalid', 'an edge entry must be an object');

  const id = value.stable_id;
  const edgeName = `edge ${typeof id === 'string' ? id : describeValue(id)}`;
  const idFacts: ErrorFacts = typeof id === 'string' ? { stable_id: id } : {};
  const invalid = (detail: string): PackageRejectedError =>
    fail('edge.invalid', `${edgeName} ${detail}`, idFacts);

  const type = value.type;
  const rule = typeof type === 'string' ? EDGE_TAXONOMY.get(type) : undefined;
  if (typeof type !== 'string' || !rule) {
    throw invalid(
      `uses unsupported edge type ${describeValue(type)}; known types: ${[...EDGE_TAXONOMY.keys()].join(', ')}`,
    );
  }

  if (rule.requiredAttributes.length > 0) {
    const attributes = 'attributes' in value ? value.attributes : {};
    for (const attribute of rule.requiredAttributes) {
      if (!containsPython(attributes, attribute)) {
        throw invalid(`is missing required attribute '${attribute}' for type ${type}`);
      }
    }
  }

  const validity = value.validity;
  if (rule.validityRequired && !pyTruthy(validity)) {
    throw invalid(`requires validity metadata (type ${type})`);
  }
  if (pyTruthy(validity)) {
    if (!isJsonObject(validity)) throw invalid('has a validity that is not an object');
    const start = validity.start_event_id;
    if (typeof start !== 'string' || start === '') throw invalid('validity must include start_event_id');
    const end = validity.end_event_id;
    if (typeof end === 'string' && compareCodePoints(end, start) < 0) {
      throw invalid(`end_event_id ${end} must not precede start_event_id ${start}`);
    }
  }

  const missing: string[] = [];
  const refs = { src_ref: '', dst_ref: '' };
  for (const field of ['src_ref', 'dst_ref'] as const) {
    const ref = value[field];
    if (!pyTruthy(ref)) continue;
    if (typeof ref !== 'string') throw invalid(`has a ${field} that is not a string: ${describeValue(ref)}`);
    const id = known.get(ref);
    if (id === undefined) missing.push(ref);
    else refs[field] = id;
  }
  if (missing.length > 0) {
    throw fail(
      'edge.dangling_reference',
      `${edgeName} references entities the package does not define: ${missing.join(', ')}`,
      {
        ...idFacts,
        missing_refs: missing,
      },
    );
  }

  const hash = recordHash(value, invalid);
  const expected = contentIndex.get(sourcePath);
  if (expected !== undefined && expected !== hash) {
    throw fail(
      'edge.hash_mismatch',
      `${edgeName}: record hash mismatch (content_index ${expected}, record ${hash})`,
      {
        ...idFacts,
        expected_hash: expected,
        actual_hash: hash,
      },
    );
  }

  if (typeof id !== 'string' || id === '')
    throw fail('edge.invalid', 'edge definition is missing its stable_id');
  if (options.strict) checkStrictObject('edge', value, id, sourcePath);
  return {
    record: value,
    stableId: id,
    type: TYPE_NAMES.get(type) as string,
    sourcePath,
    hash,
    srcRef: refs.src_ref,
    dstRef: refs.dst_ref,
  };
}

/** SHA-256 of Python's `json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`. */
function recordHash(record: JsonObject, invalid: (detail: string) => PackageRejectedError): string {
  try {
    return sha256Hex(pythonJsonDumps(record));
  } catch (error) {
    throw invalid(`cannot be hashed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function toRecord({ record, stableId, type, sourcePath, hash }: ParsedEdge, packageId: string): PhaseRecord {
  const payload: Record<string, unknown> = { stable_id: stableId, type };
  if ('src_ref' in record) payload.src_ref = record.src_ref;
  if ('dst_ref' in record) payload.dst_ref = record.dst_ref;
  payload.attributes = 'attributes' in record ? record.attributes : {};
  if (record.validity !== undefined && record.validity !== null) payload.validity = record.validity;
  if ('annotations' in record) payload.annotations = record.annotations;
  payload.provenance = { package_id: packageId, source_path: sourcePath, file_hash: hash };
  return {
    kind: 'edge',
    stableId,
    category: '',
    objectType: type,
    contentHash: hash,
    sourcePath,
    fileHash: hash,
    payload,
  };
}

/** Python truthiness of a parsed JSON value (absent counts as None). */
function pyTruthy(value: JsonValue | undefined): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return value.length > 0;
  if (Array.isArray(value)) return value.length > 0;
  if (isJsonObject(value)) return Object.keys(value).length > 0;
  return value.toNumber() !== 0;
}

/** Python's `name in container` for the containers `attributes` can be; anything else has no members. */
function containsPython(container: JsonValue | undefined, name: string): boolean {
  if (isJsonObject(container)) return name in container;
  if (Array.isArray(container)) return container.includes(name);
  if (typeof container === 'string') return container.includes(name);
  return false;
}
