/** Reads a text file line by line in constant memory. */
import { createReadStream } from 'node:fs';

const READ_CHUNK = 1 << 20;

export interface Line {
  text: string;
  /** 1-based. */
  number: number;
}

/**
 * The lines of a file, a chunk's worth at a time (one await per megabyte, not per line), split on LF from
 * raw bytes (a multi-byte character never straddles a split).
 */
export async function* readLines(path: string, chunkBytes = READ_CHUNK): AsyncGenerator<Line[]> {
  const stream = createReadStream(path, { highWaterMark: chunkBytes });
  let carry: Buffer = Buffer.alloc(0);
  let number = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      const lines: Line[] = [];
      let start = 0;
      for (let end = data.indexOf(10, start); end !== -1; end = data.indexOf(10, start)) {
        number += 1;
        lines.push({ text: data.toString('utf8', start, end), number });
        start = end + 1;
      }
      carry = Buffer.from(data.subarray(start));
      if (lines.length > 0) yield lines;
    }
    if (carry.length > 0) yield [{ text: carry.toString('utf8'), number: number + 1 }];
  } finally {
    stream.destroy();
  }
}
