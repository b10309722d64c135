/** `chronicle checkpoint`: write (and record) a tip document for auditors, optionally signed. */

import { createHash, type KeyObject } from 'node:crypto';
import { statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import type { Database } from '../../db/database.js';
import { sqlStateOf } from '../../db/sql-errors.js';
import { DatabaseError, UsageError } from '../../errors.js';
import type { CheckpointDocument } from '../../ledger/checkpoint.js';
import type { CheckpointResult } from '../../ledger/create-checkpoint.js';
import { makeDirectory } from '../../make-directory.js';
import { replaceFile } from '../../replace-file.js';
import { cliContext, withDatabase } from '../context.js';
import { asGiven, assertWritableFolder, assertWritableTarget } from '../out-path.js';
import { EXIT, type Io, printJson, printLines } from '../output.js';
import { wholeNumber } from '../whole-number.js';
import { readPrivateKeyFile } from './keygen.js';

/** SQLSTATE 42501: the role lacks a privilege (here, to insert into checkpoints). */
const INSUFFICIENT_PRIVILEGE = '42501';

interface CheckpointFlags {
  campaign?: string;
  signKey?: string;
  out?: string;
  trail?: string;
  record: boolean;
  json?: boolean;
}

export function registerCheckpoint(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('checkpoint')
    .description(
      "write a tip document of a campaign's chain for auditors to keep (also recorded in the database)",
    )
    .option('-c, --campaign <slug>', 'campaign (default: config campaign, else "default")')
    .option('--sign-key <pem>', 'sign the document with this Ed25519 private key (see chronicle keygen)')
    .option('--out <file>', 'write the document to this file (default: print it on stdout)')
    .option(
      '--trail <n>',
      'keep the envelope hash of each of the <n> events before the tip, and of the tip (default 64)',
    )
    .option(
      '--no-record',
      'do not record it in the database (needs only SELECT: an auditor can take their own)',
    )
    .option('--json', 'print one JSON object on stdout (the summary and the document)')
    .action(async (opts: CheckpointFlags, command: Command) => {
      const { checkpointFileText } = await import('../../ledger/checkpoint.js');
      const { createCheckpoint } = await import('../../ledger/create-checkpoint.js');
      if (opts.out) assertWritableTarget(opts.out, '--out');
      const ctx = await cliContext(command, io);
      const signKey = opts.signKey ? await readPrivateKeyFile(opts.signKey, '--sign-key') : undefined;
      const denseTrail =
        opts.trail === undefined ? undefined : wholeNumber('--trail', opts.trail, { max: 1_000_000 });
      const campaign = opts.campaign ?? ctx.config.campaign;
      const result = await withDatabase(
        ctx,
        (db) =>
          createCheckpoint(db, campaign, {
            record: opts.record,
            ...(signKey ? { signKey } : {}),
            ...(denseTrail === undefined ? {} : { denseTrail }),
          }).catch((error: unknown) => {
            if (!opts.record || sqlStateOf(error) !== INSUFFICIENT_PRIVILEGE) throw error;
            throw new DatabaseError(
              'db.permission_denied',
              `${(error as Error).message}: this role may not record checkpoints in the database; take one with ` +
                '--no-record (the document alone) and keep it yourself',
              { sqlstate: INSUFFICIENT_PRIVILEGE },
            );
          }),
        { existing: true },
      );
      if (opts.out) replaceFile(opts.out, checkpointFileText(result.document));
      if (opts.json) {
        printJson(io, {
          ...summaryJson(result),
          ...(opts.out ? { file: basename(opts.out) } : {}),
          document: result.document,
        });
      } else if (opts.out) {
        printLines(io, summaryLines(result.document, basename(opts.out)));
      } else {
        io.stdout.write(checkpointFileText(result.document));
      }
      setExit(EXIT.ok);
    });
}

function summaryJson(result: CheckpointResult): Record<string, unknown> {
  const doc = result.document;
  return {
    campaign: doc.campaign,
    ordinal: doc.ordinal,
    tip_hash: doc.tip_hash,
    events: doc.events,
    state_digest: doc.state_digest,
    created_at: doc.created_at,
    key_id: doc.key_id ?? null,
    recorded: result.recorded,
  };
}

function summaryLines(doc: CheckpointDocument, file: string): string[] {
  return [
    `checkpoint written to ${file}: campaign '${doc.campaign}', ${doc.events} events up to ordinal ${doc.ordinal}`,
    `  tip hash      ${doc.tip_hash}`,
    `  state digest  ${doc.state_digest}`,
    `  signed        ${doc.key_id ? `yes, key ${doc.key_id}` : 'no'}`,
  ];
}

/**
 * For `import --checkpoint-dir`, before the import: refuses a path that exists and is not a directory, creates a
 * missing one, and refuses one the file system will not let this process write in (`io.error`).
 */
export function prepareCheckpointDir(dir: string): void {
  const existing = statSync(dir, { throwIfNoEntry: false });
  if (existing && !existing.isDirectory()) {
    throw new UsageError(`--checkpoint-dir ${asGiven(dir)} is not a directory`, {}, 'usage.invalid');
  }
  if (!existing) makeDirectory(dir);
  assertWritableFolder(dir, '--checkpoint-dir');
}

/** Writes a checkpoint after a committed import: `<dir>/<campaign>-<ordinal>.json`; returns the file name. */
export async function checkpointAfterImport(
  db: Database,
  campaign: string,
  dir: string,
  signKey?: KeyObject,
): Promise<string> {
  const { checkpointFileText } = await import('../../ledger/checkpoint.js');
  const { createCheckpoint } = await import('../../ledger/create-checkpoint.js');
  const { document } = await createCheckpoint(db, campaign, signKey ? { signKey } : {});
  const name = checkpointFileName(campaign, document.ordinal);
  replaceFile(join(dir, name), checkpointFileText(document));
  return name;
}

/** A campaign name that is its own file name everywhere: no other campaign's name maps to it, whatever the case. */
const PLAIN_CAMPAIGN = /^[a-z0-9._-]+$/;

/**
 * `<campaign>-<ordinal, 12 digits>.json`. A campaign named otherwise (`x/y z`, `Saltmarrow`) has each character
 * outside `A-Za-z0-9._-` written `_`, then `~` and the first 8 hex digits of its name's SHA-256: without them
 * `x/y z` and `x_y_z`, or `Saltmarrow` and `saltmarrow` on a case-insensitive file system, would write one file,
 * and the second checkpoint would replace the first.
 */
export function checkpointFileName(campaign: string, ordinal: number): string {
  const stem = PLAIN_CAMPAIGN.test(campaign)
    ? campaign
    : `${campaign.replace(/[^A-Za-z0-9._-]/g, '_')}~${createHash('sha256').update(campaign).digest('hex').slice(0, 8)}`;
  return `${stem}-${String(ordinal).padStart(12, '0')}.json`;
}
