/** `chronicle keygen`: an Ed25519 key pair for signing checkpoints; and reading key files for other commands. */

import type { KeyObject } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { assertWritableTarget } from '../out-path.js';
import { EXIT, type Io, printJson, printLines } from '../output.js';

export function registerKeygen(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('keygen')
    .description(
      'write an Ed25519 key pair for signing checkpoints: <prefix>.key (private, mode 0600) and <prefix>.pub',
    )
    .requiredOption('--out <prefix>', 'path prefix of the two files (neither may exist)')
    .option('--json', 'print one JSON object on stdout')
    .action(async (opts: { out: string; json?: boolean }) => {
      const { generateSigningKeyPair } = await import('../../ledger/keys.js');
      const pair = generateSigningKeyPair();
      const privatePath = `${opts.out}.key`;
      const publicPath = `${opts.out}.pub`;
      assertWritableTarget(privatePath, '--out');
      writeNew(privatePath, pair.privateKeyPem, 0o600);
      try {
        writeNew(publicPath, pair.publicKeyPem, 0o644);
      } catch (error) {
        // A private key without its public half is of no use, and would block the rerun: none or both.
        rmSync(privatePath, { force: true });
        throw error;
      }
      if (opts.json) {
        printJson(io, {
          key_id: pair.keyId,
          private_key: basename(privatePath),
          public_key: basename(publicPath),
        });
      } else {
        printLines(io, [
          `key pair written: ${basename(privatePath)} (private, keep it secret) and ${basename(publicPath)} (public, give it to auditors)`,
          `  key id  ${pair.keyId}`,
        ]);
      }
      setExit(EXIT.ok);
    });
}

/** Creates a file that must not exist yet, with its permissions set from the start; never overwrites (exit 2). */
function writeNew(path: string, text: string, mode: number): void {
  try {
    writeFileSync(path, text, { mode, flag: 'wx' });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'EEXIST')
      throw new UsageError(
        `${basename(path)} already exists; keygen never overwrites a key`,
        { file: basename(path) },
        'keygen.exists',
      );
    // The file system refusing (EACCES, EROFS, ENOSPC): io.error, exit 3, like any other file a command writes.
    throw error;
  }
}

function readKeyFile(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code ?? String(error);
    throw new UsageError(
      `${flag} ${basename(path)}: cannot read it (${code})`,
      { file: basename(path) },
      'key.unreadable',
    );
  }
}

export async function readPrivateKeyFile(path: string, flag: string): Promise<KeyObject> {
  const { privateKeyFromPem } = await import('../../ledger/keys.js');
  return privateKeyFromPem(readKeyFile(path, flag), basename(path));
}

export async function readPublicKeyFile(path: string, flag: string): Promise<KeyObject> {
  const { publicKeyFromPem } = await import('../../ledger/keys.js');
  return publicKeyFromPem(readKeyFile(path, flag), basename(path));
}
