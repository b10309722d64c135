/** Reads a text file line by line in constant memory (but for the longest line). */
import { createReadStream } from 'node:fs';

const READ_CHUNK = 1 << 20;

export interface Line {
  text: string;
  /** 1-based. */
  number: number;
}

export interface ReadLinesOptions {
  chunkBytes?: number;
  /** Checked at every chunk read, so that even one endless line cannot keep a stop waiting. */
  signal?: AbortSignal | undefined;
}

/**
 * The lines of a file, a chunk's worth at a time (one await per megabyte, not per line), split on LF from
 * raw bytes (a multi-byte character never straddles a split). A line longer than a chunk is kept as the list
 * of its pieces and joined once, when its end comes: each byte is searched and copied once, however long the
 * line (joining at every chunk made a hostile bundle of one 100 MB line take minutes).
 */
export async function* readLines(path: string, options: ReadLinesOptions = {}): AsyncGenerator<Line[]> {
  const { chunkBytes = READ_CHUNK, signal } = options;
  const stream = createReadStream(path, { highWaterMark: chunkBytes });
  let pieces: Buffer[] = [];
  let number = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      signal?.throwIfAborted();
      const lines: Line[] = [];
      let start = 0;
      for (let end = chunk.indexOf(10, start); end !== -1; end = chunk.indexOf(10, start)) {
        number += 1;
        const text =
          pieces.length === 0
            ? chunk.toString('utf8', start, end)
            : Buffer.concat([...pieces, chunk.subarray(start, end)]).toString('utf8');
        pieces = [];
        lines.push({ text, number });
        start = end + 1;
      }
      // The rest is the start of a line: copied out of the chunk, whose buffer the stream may reuse.
      if (start < chunk.length) pieces.push(Buffer.from(chunk.subarray(start)));
      if (lines.length > 0) yield lines;
    }
    if (pieces.length > 0) yield [{ text: Buffer.concat(pieces).toString('utf8'), number: number + 1 }];
  } finally {
    stream.destroy();
  }
}
