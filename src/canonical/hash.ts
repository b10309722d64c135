/** SHA-256 helpers. Hashes are raw 32-byte Buffers; the `Hex` variants give lowercase hex. */
import * as crypto from 'node:crypto';
import { type CanonicalOptions, canonicalJsonBytes } from './canonical-json.js';
import { hasLoneSurrogate } from './python-text.js';

/**
 * One-call SHA-256: `crypto.hash` (Node 20.12+) is about twice as fast as a `createHash` object for the small
 * inputs hashed per event; older Node 20 releases get the same digest from `createHash`.
 */
const digestOf: (data: Uint8Array | string, encoding: 'hex' | 'buffer') => string | Buffer =
  typeof crypto.hash === 'function'
    ? (data, encoding) => crypto.hash('sha256', data, encoding)
    : (data, encoding) => {
        const digest = crypto.createHash('sha256').update(data).digest();
        return encoding === 'hex' ? digest.toString('hex') : digest;
      };

function refuseLoneSurrogate(data: Uint8Array | string): void {
  if (typeof data === 'string' && hasLoneSurrogate(data)) {
    throw new TypeError('Cannot hash a string containing a lone surrogate: it has no UTF-8 encoding');
  }
}

/**
 * SHA-256 of bytes, or of the UTF-8 encoding of a string. A string with a lone surrogate is refused
 * (Python cannot encode it; Node would silently hash U+FFFD instead).
 */
export function sha256(data: Uint8Array | string): Buffer {
  refuseLoneSurrogate(data);
  return digestOf(data, 'buffer') as Buffer;
}

export function sha256Hex(data: Uint8Array | string): string {
  refuseLoneSurrogate(data);
  return digestOf(data, 'hex') as string;
}

/** SHA-256 of the canonical JSON bytes (reference `compute_canonical_hash`). */
export function canonicalHash(value: unknown, options: CanonicalOptions = {}): Buffer {
  return sha256(canonicalJsonBytes(value, options));
}

export function canonicalHashHex(value: unknown, options: CanonicalOptions = {}): string {
  return canonicalHash(value, options).toString('hex');
}
