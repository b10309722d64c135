/**
 * Strict mode's checks of an entity or an edge (one file, or one record of an edge file): a real ULID as its
 * stable_id, then its JSON Schema (schemas/entity.schema.json, schemas/edge.schema.json).
 */
import { type JsonObject, toPlain } from '../canonical/index.js';
import { PackageRejectedError } from '../errors.js';
import { checkSchema } from '../package/json-schemas.js';
import { isUlid } from '../package/ulid.js';

export function checkStrictObject(
  kind: 'entity' | 'edge',
  record: JsonObject,
  stableId: string,
  file: string,
): void {
  if (!isUlid(stableId)) {
    throw new PackageRejectedError(
      kind,
      `${kind}.invalid_id`,
      `${file}: stable_id '${stableId}' is not a ULID (26 Crockford base-32 characters, first 0-7) (strict mode)`,
      { file, stable_id: stableId },
    );
  }
  const violation = checkSchema(kind, toPlain(record));
  if (violation) {
    throw new PackageRejectedError(
      kind,
      `${kind}.schema`,
      `${file}: ${kind} ${stableId}: ${violation.message}`,
      {
        file,
        stable_id: stableId,
        pointer: violation.pointer,
        rule: violation.rule,
      },
    );
  }
}
