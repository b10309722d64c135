/**
 * The binary COPY decoder reads back what the encoder writes, however the bytes are cut into chunks (a
 * server sends them in chunks of its own choosing), and refuses a stream cut short.
 */
import { describe, expect, it } from 'vitest';
import { CopyFormatError, type CopyTuple, copyTuples } from '../../../src/db/copy-decoder.js';
import { COPY_BINARY_HEADER, COPY_BINARY_TRAILER, CopyTupleEncoder } from '../../../src/db/copy-encoder.js';

function encodedStream(): Buffer {
  const encoder = new CopyTupleEncoder();
  for (let row = 0; row < 50; row += 1) {
    encoder
      .tuple(4)
      .int8(BigInt(row) * 1_000_000_007n)
      .text(`événement ${row}`)
      .bytes(Buffer.alloc(row * 7, row))
      .null();
  }
  return Buffer.concat([COPY_BINARY_HEADER, encoder.take(), COPY_BINARY_TRAILER]);
}

async function* chunksOf(bytes: Buffer, sizes: (index: number) => number): AsyncGenerator<Buffer> {
  for (let at = 0, index = 0; at < bytes.length; index += 1) {
    const size = Math.max(1, sizes(index));
    yield bytes.subarray(at, at + size);
    at += size;
  }
}

async function decodeAll(chunks: AsyncIterable<Buffer>): Promise<CopyTuple[]> {
  const tuples: CopyTuple[] = [];
  for await (const page of copyTuples(chunks)) tuples.push(...page);
  return tuples;
}

describe('copyTuples', () => {
  const stream = encodedStream();

  it.each([
    ['one chunk', () => stream.length],
    ['one byte at a time', () => 1],
    ['chunks of uneven sizes', (index: number) => ((index * 37) % 101) + 1],
  ])('decodes every field, in %s', async (_name, sizes) => {
    const tuples = await decodeAll(chunksOf(stream, sizes));
    expect(tuples).toHaveLength(50);
    tuples.forEach((tuple, row) => {
      expect(tuple).toHaveLength(4);
      expect(tuple[0]?.readBigInt64BE(0)).toBe(BigInt(row) * 1_000_000_007n);
      expect(tuple[1]?.toString('utf8')).toBe(`événement ${row}`);
      expect(tuple[2]).toEqual(Buffer.alloc(row * 7, row));
      expect(tuple[3]).toBeNull();
    });
  });

  it.each([
    ['smaller than a tuple', () => 997],
    ['of about a tuple', (index: number) => 9_000 + ((index * 1_013) % 4_000)],
    ['of several tuples', () => 65_536],
  ])('decodes tuples larger than the first guess at a split one, in chunks %s', async (_name, sizes) => {
    const encoder = new CopyTupleEncoder();
    const big = (row: number) => Buffer.alloc(2_000 + row * 409, row);
    for (let row = 0; row < 30; row += 1) encoder.tuple(2).int8(BigInt(row)).bytes(big(row));
    const bytes = Buffer.concat([COPY_BINARY_HEADER, encoder.take(), COPY_BINARY_TRAILER]);
    const tuples = await decodeAll(chunksOf(bytes, sizes));
    expect(tuples.map((tuple) => tuple[0]?.readBigInt64BE(0))).toEqual([...Array(30).keys()].map(BigInt));
    expect(tuples.every((tuple, row) => tuple[1]?.equals(big(row)))).toBe(true);
  });

  it('refuses a stream that ends inside a tuple or without its trailer', async () => {
    await expect(decodeAll(chunksOf(stream.subarray(0, stream.length - 10), () => 64))).rejects.toThrow(
      CopyFormatError,
    );
    await expect(decodeAll(chunksOf(stream.subarray(0, stream.length - 2), () => 64))).rejects.toThrow(
      CopyFormatError,
    );
  });

  it('refuses bytes that are not a binary COPY stream', async () => {
    await expect(decodeAll(chunksOf(Buffer.from('id\tname\n1\tx\n'.repeat(3)), () => 8))).rejects.toThrow(
      /PGCOPY signature/,
    );
  });
});
