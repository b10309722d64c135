/**
 * Typed errors. Every error Chronicle reports carries a stable `code` (a contract for scripts),
 * the `phase` it happened in and the facts a person needs to act on it: package-relative paths,
 * stable ids and both hashes where there are two. Messages never contain absolute paths.
 */

export type Phase = 'manifest' | 'entity' | 'edge' | 'ontology' | 'lore' | 'finalization';

/** Codes for a package that Chronicle refuses to import (exit 1, nothing written). */
export type RejectionCode =
  | 'manifest.not_found'
  | 'manifest.invalid_json'
  | 'manifest.schema'
  | 'manifest.duplicate_key'
  | 'manifest.invalid_id'
  | 'package.path_escape'
  | 'package.name_collision'
  | 'package.missing_file'
  | 'package.hash_mismatch'
  | 'package.read_error'
  | 'package.unlisted_file'
  | 'package.not_normalized'
  | 'package.changed_since_import'
  | 'package.imported_with_other_settings'
  | 'entity.parse'
  | 'entity.invalid'
  | 'entity.schema'
  | 'entity.invalid_id'
  | 'entity.duplicate_key'
  | 'entity.hash_mismatch'
  | 'entity.collision'
  | 'edge.parse'
  | 'edge.invalid'
  | 'edge.schema'
  | 'edge.invalid_id'
  | 'edge.duplicate_key'
  | 'edge.dangling_reference'
  | 'edge.hash_mismatch'
  | 'edge.collision'
  | 'ontology.parse'
  | 'ontology.invalid'
  | 'ontology.duplicate_key'
  | 'ontology.conflict'
  | 'lore.parse'
  | 'lore.front_matter'
  | 'lore.duplicate_key'
  | 'lore.hash_mismatch'
  | 'lore.collision';

/**
 * Facts attached to an error. Keys are snake_case because they are printed as-is in `--json` output.
 * - file: package-relative path (edges: `edges/x.json#2`)
 * - stable_id: the object's id (entity/edge stable_id, tag_id, affordance_id, chunk_id, package_id)
 * - expected_hash / actual_hash: for integrity failures (what the index says / what the bytes hash to)
 * - existing_*: the other side of a collision (file, hash, package_id)
 */
export interface ErrorFacts {
  file?: string;
  stable_id?: string;
  expected_hash?: string;
  actual_hash?: string;
  existing_file?: string;
  existing_hash?: string;
  existing_package_id?: string;
  problems?: ErrorFacts[];
  [key: string]: unknown;
}

/** Base class: everything Chronicle throws on purpose. */
export class ChronicleError extends Error {
  readonly code: string;
  readonly facts: ErrorFacts;

  constructor(code: string, message: string, facts: ErrorFacts = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.facts = facts;
  }

  /** The `error` object of `--json` outputs. */
  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, ...this.facts };
  }
}

/** The package is not acceptable: exit 1, the database is left exactly as it was. */
export class PackageRejectedError extends ChronicleError {
  readonly phase: Phase;
  declare readonly code: RejectionCode;

  constructor(
    phase: Phase,
    code: RejectionCode,
    message: string,
    facts: ErrorFacts = {},
    options?: { cause?: unknown },
  ) {
    super(code, message, facts, options);
    this.phase = phase;
  }

  override toJSON(): Record<string, unknown> {
    return { phase: this.phase, code: this.code, message: this.message, ...this.facts };
  }
}

/** Wrong flags, arguments or configuration: exit 2. */
export class UsageError extends ChronicleError {
  constructor(message: string, facts: ErrorFacts = {}, code = 'usage.invalid') {
    super(code, message, facts);
  }
}

/** The database refused or failed (connection, lock timeout, schema newer than the code): exit 3. */
export class DatabaseError extends ChronicleError {
  constructor(code: string, message: string, facts: ErrorFacts = {}, options?: { cause?: unknown }) {
    super(code, message, facts, options);
  }
}

/**
 * The connection broke after COMMIT was sent and before the server answered it (`db.connection_lost`): the
 * transaction may have committed or not, and only another connection can tell (an import reads its attempt's row
 * back). Thrown by `transaction` on PostgreSQL; an error the server reports at COMMIT is rethrown as it is.
 */
export class CommitUnconfirmedError extends DatabaseError {
  constructor(cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      'db.connection_lost',
      `the database connection was lost after COMMIT was sent, before the server answered (${why})`,
      {},
      { cause },
    );
  }
}

/**
 * A `CommitUnconfirmedError`, and another connection could not read whether the transaction committed either
 * (`db.commit_unknown`): an import reports the outcome `unknown` and leaves its attempt's row, from which the next
 * import into the campaign records it as it ended (`chronicle runs` lists it meanwhile).
 */
export class CommitUnknownError extends DatabaseError {
  constructor(lost: CommitUnconfirmedError, readError: unknown, campaign: string) {
    const why = readError instanceof Error ? readError.message : String(readError);
    super(
      'db.commit_unknown',
      `${lost.message}, and whether it committed could not be read back (${why}): the import may be committed. ` +
        `The next import into campaign '${campaign}' records this attempt as it ended; until then ` +
        '`chronicle runs` lists it',
      { campaign },
      { cause: lost },
    );
  }
}

/**
 * The file system refused a path the user gave (`io.error`, exit 3), with the system's `errno` and `syscall`. A
 * refusal met anywhere else is classified the same (failure-codes.ts).
 */
export class FileSystemError extends ChronicleError {
  constructor(message: string, facts: ErrorFacts = {}, options?: { cause?: unknown }) {
    super('io.error', message, facts, options);
  }
}

/**
 * Chronicle itself could not go on: a bug (`internal.error`), or a thread out of memory (`internal.out_of_memory`,
 * with what to change). Exit 3; an import that meets one rolls back and is recorded.
 */
export class InternalError extends ChronicleError {
  constructor(
    code: 'internal.error' | 'internal.out_of_memory',
    message: string,
    facts: ErrorFacts = {},
    options?: { cause?: unknown },
  ) {
    super(code, message, facts, options);
  }
}

/**
 * The process was asked to stop (SIGINT, SIGTERM) while importing: the import stops at the next part it writes,
 * rolls back and is recorded like any other failed attempt. The CLI exits with 128 + the signal's number.
 */
export type StoppableOperation = 'import' | 'export' | 'verify' | 'open';

const STOPPED: Record<StoppableOperation, string> = {
  import: 'before the commit',
  export: 'before the bundle was complete: no bundle written',
  verify: 'before the verification finished: nothing was concluded',
  open: 'while it opened the embedded database another process held: nothing was done',
};

export class InterruptedError extends ChronicleError {
  /**
   * `signal`: the signal that asked for the stop, if one did (a library caller may abort for its own reasons).
   * `operation`: what was stopped: an import (rolled back before its commit), an export (no bundle written), a
   * verification (nothing concluded), or any other command while it waited for an embedded data dir (`open`).
   */
  constructor(
    readonly signal?: NodeJS.Signals,
    operation: StoppableOperation = 'import',
  ) {
    const by = signal ? ` by ${signal}` : '';
    super(`${operation}.interrupted`, `interrupted${by} ${STOPPED[operation]}`, signal ? { signal } : {});
  }
}

export function isChronicleError(error: unknown): error is ChronicleError {
  return error instanceof ChronicleError;
}
