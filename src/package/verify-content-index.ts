/**
 * content_index verification on raw bytes (the reference's manifest phase): every listed path must resolve
 * inside the package, exist, be a readable file and hash to the listed value (case-sensitive hex). In strict
 * mode a listed file must also already be LF-only NFC text. Every problem is collected, in index order.
 */
import type { ErrorFacts, RejectionCode } from '../errors.js';
import { definedStableIds, namedIds } from '../phases/defined-ids.js';
import { decodeText, InvalidUtf8Error } from './decode-text.js';
import { listedPath } from './discover-files.js';
import type { FileReader } from './file-reader.js';
import { type Resolution, resolveInside } from './resolve-path.js';

/** One problem with one file; several are reported together as one error. */
export interface FileProblem extends ErrorFacts {
  code: RejectionCode;
  file: string;
  message: string;
}

export interface ListedFile {
  path: string;
  rawHash: string;
}

export interface IndexVerification {
  problems: FileProblem[];
  /** Listed files that were read, in index order. */
  read: ListedFile[];
}

export function verifyContentIndex(
  rootReal: string,
  contentIndex: ReadonlyMap<string, string>,
  reader: FileReader,
  strict: boolean,
  /** Keys known to name a plain file inside the package (seen in a directory listing): not resolved again. */
  knownInside: ReadonlySet<string> = new Set(),
): IndexVerification {
  const problems: FileProblem[] = [];
  const read: ListedFile[] = [];
  for (const [key, expected] of contentIndex) {
    const outcome = verifyEntry(
      key,
      expected,
      knownInside.has(key)
        ? { kind: 'inside', absolute: listedPath(rootReal, key) }
        : resolveInside(rootReal, key),
      reader,
      strict,
    );
    if (outcome.listed) read.push(outcome.listed);
    if (outcome.problem) problems.push(outcome.problem);
  }
  return { problems, read };
}

interface EntryOutcome {
  listed?: ListedFile;
  problem?: FileProblem;
}

function verifyEntry(
  key: string,
  expected: string,
  resolution: Resolution,
  reader: FileReader,
  strict: boolean,
): EntryOutcome {
  if (resolution.kind === 'outside') {
    return {
      problem: {
        code: 'package.path_escape',
        file: key,
        message: `${key}: resolves outside the package directory`,
      },
    };
  }
  if (resolution.kind === 'unresolvable') {
    return {
      problem: {
        code: 'package.read_error',
        file: key,
        message: `${key}: cannot be read (${resolution.reason})`,
      },
    };
  }
  const result = reader.read(resolution.absolute);
  if (!result.ok) {
    const missing = result.reason === 'no such file' || result.reason === 'a parent is not a directory';
    return {
      problem: missing
        ? {
            code: 'package.missing_file',
            file: key,
            expected_hash: expected,
            message: `${key}: listed in content_index (hash ${expected}) but not found`,
          }
        : { code: 'package.read_error', file: key, message: `${key}: cannot be read (${result.reason})` },
    };
  }
  const listed = { path: key, rawHash: result.rawHash };
  if (result.rawHash !== expected) {
    const ids = namedIds(definedStableIds(key, result.bytes));
    return {
      listed,
      problem: {
        code: 'package.hash_mismatch',
        file: key,
        ...ids.facts,
        expected_hash: expected,
        actual_hash: result.rawHash,
        message: `${key}: content hash mismatch (content_index ${expected}, file ${result.rawHash})${caseOnly(expected, result.rawHash)}${ids.clause}`,
      },
    };
  }
  if (strict) {
    const defect = normalizationDefect(result.bytes);
    if (defect) {
      return {
        listed,
        problem: { code: 'package.not_normalized', file: key, message: `${key}: ${defect} (strict mode)` },
      };
    }
  }
  return { listed };
}

/** Why a listed file is not already in the form the phases hash (LF-only, NFC, UTF-8), or undefined. */
export function normalizationDefect(bytes: Buffer): string | undefined {
  let text: string;
  try {
    text = decodeText(bytes, { nfc: false }).text;
  } catch (error) {
    if (error instanceof InvalidUtf8Error) return error.message;
    throw error;
  }
  if (bytes.includes(0x0d)) return 'has CR line endings; only LF is allowed';
  return text === text.normalize('NFC') ? undefined : 'is not in Unicode NFC';
}

/** A listed hash that differs from the file's only in letter case: hashes are compared as written, in lower case. */
function caseOnly(expected: string, actual: string): string {
  return expected !== actual && expected.toLowerCase() === actual
    ? '; the two differ only in letter case: content_index hashes are compared as written, write them in lower case'
    : '';
}
