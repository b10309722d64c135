/**
 * A phase's JSON file as the reference reads it: decoded text (strict UTF-8, universal newlines, NFC), its
 * normalised hash, and the lossless parse of that text. Failures become the phase's own rejection codes.
 */
import { JsonDuplicateKeyError, JsonSyntaxError, type JsonValue, parseJson } from '../canonical/index.js';
import { PackageRejectedError } from '../errors.js';
import type { PackageFile } from '../phases/types.js';
import { decodePackageFile } from './decode-text.js';

export interface ParsedJsonFile {
  value: JsonValue;
  /** SHA-256 hex of the normalised text (the reference's file hash). */
  hash: string;
}

export function parsePackageJson(
  file: PackageFile,
  phase: 'entity' | 'edge' | 'ontology',
  strict: boolean,
): ParsedJsonFile {
  const { text, hash } = decodePackageFile(file, phase);
  try {
    return { value: parseJson(text, { duplicateKeys: strict ? 'reject' : 'last-wins' }), hash };
  } catch (error) {
    if (error instanceof JsonDuplicateKeyError) {
      throw new PackageRejectedError(
        phase,
        `${phase}.duplicate_key`,
        `${file.path}: duplicate key '${error.key}' at line ${error.line} column ${error.column} (strict mode)`,
        { file: file.path, key: error.key, line: error.line, column: error.column },
      );
    }
    if (error instanceof JsonSyntaxError) {
      throw new PackageRejectedError(
        phase,
        `${phase}.parse`,
        `${file.path}: invalid JSON: ${error.message}`,
        {
          file: file.path,
          line: error.line,
          column: error.column,
        },
      );
    }
    throw error;
  }
}
