import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src/canonical/index.js';
import { decodePackageFile, decodeText, InvalidUtf8Error } from '../../../src/package/decode-text.js';
import { expectRejectionSync } from './support.js';

const bytes = (...values: number[]): Buffer => Buffer.from(values);

describe('decodeText', () => {
  it('translates CRLF and lone CR to LF and hashes the UTF-8 of the result', () => {
    const decoded = decodeText(Buffer.from('a\r\nb\rc\n'));
    expect(decoded.text).toBe('a\nb\nc\n');
    expect(decoded.hash).toBe(sha256Hex('a\nb\nc\n'));
  });

  it('applies NFC (unless asked not to)', () => {
    const nfd = Buffer.from('Cafe\u0301');
    expect(decodeText(nfd).text).toBe('Caf\u00e9');
    expect(decodeText(nfd, { nfc: false }).text).toBe('Cafe\u0301');
    expect(decodeText(nfd).hash).toBe(sha256Hex('Caf\u00e9'));
  });

  it('keeps a byte order mark as U+FEFF', () => {
    expect(decodeText(bytes(0xef, 0xbb, 0xbf, 0x7b, 0x7d)).text).toBe('\uFEFF{}');
  });

  it.each([
    ['a lone continuation byte', bytes(0x61, 0x80), 1],
    ['an invalid start byte', bytes(0x61, 0x62, 0xff), 2],
    ['a truncated sequence', bytes(0x61, 0xe2, 0x82), 1],
    ['an overlong encoding', bytes(0xc0, 0xaf), 0],
    ['an encoded surrogate', bytes(0x41, 0xed, 0xa0, 0x80), 1],
    ['a code point above U+10FFFF', bytes(0xf4, 0x90, 0x80, 0x80), 0],
  ])('rejects %s and names the byte offset', (_name, input, offset) => {
    let error: unknown;
    try {
      decodeText(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidUtf8Error);
    expect((error as InvalidUtf8Error).offset).toBe(offset);
  });

  it('turns invalid UTF-8 into the phase’s parse error naming the file', () => {
    const file = { path: 'edges/bad.json', bytes: bytes(0x5b, 0xfe, 0x5d), rawHash: '' };
    const error = expectRejectionSync(() => decodePackageFile(file, 'edge'), 'edge', 'edge.parse');
    expect(error.message).toContain('edges/bad.json');
    expect(error.facts).toMatchObject({ file: 'edges/bad.json', byte_offset: 1 });
  });
});
