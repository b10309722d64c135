/** SHA-256 helpers. Hashes are raw 32-byte Buffers; the `Hex` variants give lowercase hex. */
import { createHash } from 'node:crypto';
import { type CanonicalOptions, canonicalJsonBytes } from './canonical-json.js';
import { hasLoneSurrogate } from './python-text.js';

/**
 * SHA-256 of bytes, or of the UTF-8 encoding of a string. A string with a lone surrogate is refused
 * (Python cannot encode it; Node would silently hash U+FFFD instead).
 */
export function sha256(data: Uint8Array | string): Buffer {
  if (typeof data === 'string' && hasLoneSurrogate(data)) {
    throw new TypeError('Cannot hash a string containing a lone surrogate: it has no UTF-8 encoding');
  }
  return createHash('sha256').update(data).digest();
}

export function sha256Hex(data: Uint8Array | string): string {
  return sha256(data).toString('hex');
}

/** SHA-256 of the canonical JSON bytes (reference `compute_canonical_hash`). */
export function canonicalHash(value: unknown, options: CanonicalOptions = {}): Buffer {
  return sha256(canonicalJsonBytes(value, options));
}

export function canonicalHashHex(value: unknown, options: CanonicalOptions = {}): string {
  return canonicalHash(value, options).toString('hex');
}
