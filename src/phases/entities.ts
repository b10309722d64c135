/**
 * Entity phase (NOTES §2.2): one entity object per `entities/**\/*.json` file. The reference's manual checks in
 * its order, the normalised file hash against content_index, sorting by (kind, stable_id, source_path), then
 * one record per stable_id: identical duplicates are dropped, different content under one id is a collision.
 * Strict mode adds real ULIDs and schemas/entity.schema.json.
 */
import {
  codePointLength,
  compareCodePoints,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  pyStrip,
} from '../canonical/index.js';
import { PackageRejectedError } from '../errors.js';
import { describeValue } from '../package/describe-value.js';
import { parsePackageJson } from '../package/parse-package-json.js';
import { checkStrictObject } from './strict-checks.js';
import {
  keepRecord,
  type PackageFile,
  type PackageSnapshot,
  type PhaseRecord,
  type PlanOptions,
  type Seal,
  type SealedKeys,
} from './types.js';

export const ENTITY_KINDS: readonly string[] = ['npc', 'location', 'item', 'organization', 'creature'];
const REQUIRED_FIELDS = ['stable_id', 'kind', 'name', 'tags', 'affordances'] as const;

interface ParsedEntity {
  entity: JsonObject;
  stableId: string;
  kind: string;
  path: string;
  hash: string;
}

/** What the phase keeps of an entity until it has sorted them all. */
interface KeptEntity<T> {
  sealed: T;
  kind: string;
}

export function entityPhase<T extends SealedKeys = PhaseRecord>(
  snapshot: PackageSnapshot,
  options: PlanOptions,
  seal: Seal<T> = keepRecord<T>(),
): T[] {
  const { contentIndex, packageId } = snapshot.manifest;
  const parsed = snapshot.entities.map((file): KeptEntity<T> => {
    const entity = parseEntity(file, contentIndex, options);
    return { sealed: seal(toRecord(entity, packageId)), kind: entity.kind };
  });
  parsed.sort(
    (a, b) =>
      compareCodePoints(a.kind, b.kind) ||
      compareCodePoints(a.sealed.stableId, b.sealed.stableId) ||
      compareCodePoints(a.sealed.sourcePath, b.sealed.sourcePath),
  );

  const kept = new Map<string, T>();
  for (const { sealed: entity } of parsed) {
    const existing = kept.get(entity.stableId);
    if (!existing) {
      kept.set(entity.stableId, entity);
    } else if (existing.contentHash !== entity.contentHash) {
      throw new PackageRejectedError(
        'entity',
        'entity.collision',
        `entity ${entity.stableId} is defined twice with different content: ${existing.sourcePath} (${existing.contentHash}) and ${entity.sourcePath} (${entity.contentHash})`,
        {
          stable_id: entity.stableId,
          file: entity.sourcePath,
          actual_hash: entity.contentHash,
          existing_file: existing.sourcePath,
          existing_hash: existing.contentHash,
        },
      );
    }
  }
  return [...kept.values()];
}

function parseEntity(
  file: PackageFile,
  contentIndex: ReadonlyMap<string, string>,
  options: PlanOptions,
): ParsedEntity {
  const { value, hash } = parsePackageJson(file, 'entity', options.strict);
  const entity = checkEntity(value, file.path);
  if (options.strict) checkStrictObject('entity', entity, entity.stable_id as string, file.path);

  const expected = contentIndex.get(file.path);
  if (expected !== undefined && expected !== hash) {
    throw new PackageRejectedError(
      'entity',
      'entity.hash_mismatch',
      `${file.path}: content hash mismatch after newline and NFC normalisation (content_index ${expected}, normalised file ${hash}); listed files must be LF-only NFC text`,
      { file: file.path, stable_id: entity.stable_id as string, expected_hash: expected, actual_hash: hash },
    );
  }
  return { entity, stableId: entity.stable_id as string, kind: entity.kind as string, path: file.path, hash };
}

/** The reference's manual checks, in its order. */
function checkEntity(value: JsonValue, path: string): JsonObject {
  // The entity's stable_id, when it has one, names it in every rejection (its facts).
  const id = isJsonObject(value) && typeof value.stable_id === 'string' ? { stable_id: value.stable_id } : {};
  const invalid = (detail: string): PackageRejectedError =>
    new PackageRejectedError('entity', 'entity.invalid', `${path}: ${detail}`, { file: path, ...id });
  if (!isJsonObject(value)) throw invalid('an entity file must hold one JSON object');
  for (const field of REQUIRED_FIELDS) {
    if (!(field in value)) throw invalid(`missing required field '${field}'`);
  }
  const { stable_id: stableId, kind, name } = value;
  if (typeof stableId !== 'string' || codePointLength(stableId) !== 26) {
    throw invalid(`invalid stable_id ${describeValue(stableId)}: must be a string of 26 characters`);
  }
  const facts = { file: path, stable_id: stableId };
  if (typeof kind !== 'string' || !ENTITY_KINDS.includes(kind)) {
    throw new PackageRejectedError(
      'entity',
      'entity.invalid',
      `${path}: invalid kind ${describeValue(kind)} for entity ${stableId}; must be one of: ${ENTITY_KINDS.join(', ')}`,
      facts,
    );
  }
  if (typeof name !== 'string' || pyStrip(name) === '') {
    throw new PackageRejectedError(
      'entity',
      'entity.invalid',
      `${path}: entity ${stableId} has a blank or non-string name`,
      facts,
    );
  }
  for (const field of ['tags', 'affordances'] as const) {
    if (!Array.isArray(value[field])) {
      throw new PackageRejectedError(
        'entity',
        'entity.invalid',
        `${path}: field '${field}' of entity ${stableId} must be an array`,
        facts,
      );
    }
  }
  return value;
}

function toRecord({ entity, stableId, kind, path, hash }: ParsedEntity, packageId: string): PhaseRecord {
  const payload: Record<string, unknown> = {
    stable_id: stableId,
    kind,
    name: entity.name,
    tags: entity.tags,
    affordances: entity.affordances,
  };
  if ('traits' in entity) payload.traits = entity.traits;
  if ('props' in entity) payload.props = entity.props;
  payload.provenance = { package_id: packageId, source_path: path, file_hash: hash };
  return {
    kind: 'entity',
    stableId,
    category: '',
    objectType: kind,
    contentHash: hash,
    sourcePath: path,
    fileHash: hash,
    payload,
  };
}
