/**
 * Package files as the reference reads them in Python text mode: strict UTF-8 (a BOM is kept as U+FEFF, so JSON
 * parsing rejects it), universal newlines (`\r\n` and a lone `\r` become `\n`), then NFC. The "normalised hash"
 * is the SHA-256 of the UTF-8 of that text: the entity, ontology and lore file hash.
 */
import { sha256Hex } from '../canonical/index.js';
import { PackageRejectedError } from '../errors.js';
import type { PackageFile } from '../phases/types.js';

export interface DecodedText {
  text: string;
  /** SHA-256 hex of the UTF-8 of `text`. */
  hash: string;
}

/** The bytes are not valid UTF-8; `offset` is the byte position of the first bad sequence. */
export class InvalidUtf8Error extends Error {
  readonly offset: number;
  readonly byte: number;
  constructor(offset: number, byte: number) {
    super(`not valid UTF-8: byte 0x${byte.toString(16).padStart(2, '0')} at offset ${offset}`);
    this.name = 'InvalidUtf8Error';
    this.offset = offset;
    this.byte = byte;
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes strictly, translates newlines like Python's universal-newline mode and applies NFC
 * (`nfc: false` skips NFC: the manifest is parsed without it).
 */
export function decodeText(bytes: Uint8Array, options: { nfc?: boolean } = {}): DecodedText {
  let raw: string;
  try {
    raw = decoder.decode(bytes);
  } catch {
    const offset = firstInvalidUtf8Offset(bytes);
    throw new InvalidUtf8Error(offset, bytes[offset] ?? 0);
  }
  const lf = translateNewlines(raw);
  const text = options.nfc === false ? lf : lf.normalize('NFC');
  return { text, hash: sha256Hex(text) };
}

/** The phases' form: invalid UTF-8 becomes `<phase>.parse` naming the file and the byte offset. */
export function decodePackageFile(
  file: PackageFile,
  phase: 'entity' | 'edge' | 'ontology' | 'lore',
): DecodedText {
  try {
    return decodeText(file.bytes);
  } catch (error) {
    if (!(error instanceof InvalidUtf8Error)) throw error;
    throw new PackageRejectedError(phase, `${phase}.parse`, `${file.path}: ${error.message}`, {
      file: file.path,
      byte_offset: error.offset,
    });
  }
}

function translateNewlines(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

/** Position of the first byte that starts an ill-formed sequence (WHATWG/Python agree on where it starts). */
function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    let need: number;
    let lower = 0x80;
    let upper = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lower = 0xa0;
      if (b === 0xed) upper = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lower = 0x90;
      if (b === 0xf4) upper = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k += 1) {
      const c = bytes[i + k];
      if (c === undefined || c < lower || c > upper) return i;
      lower = 0x80;
      upper = 0xbf;
    }
    i += need + 1;
  }
  return bytes.length;
}
