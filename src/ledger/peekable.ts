/** An async stream with a small look-ahead, for merging sorted streams one record at a time. */
import { pagesOf } from './paged.js';

export class Peekable<T> {
  /** Records read and not yet consumed, from `head` on (whole pages are read at once, see paged.ts). */
  private buffer: T[] = [];
  private head = 0;
  private ended = false;
  private readonly iterator: AsyncIterator<T[]>;

  constructor(source: AsyncIterable<T>) {
    this.iterator = pagesOf(source)[Symbol.asyncIterator]();
  }

  /** The record `offset` places ahead (0: the next one), without consuming it. */
  async peek(offset = 0): Promise<T | undefined> {
    while (this.buffer.length - this.head <= offset && !this.ended) {
      const result = await this.iterator.next();
      if (result.done) this.ended = true;
      else this.append(result.value);
    }
    return this.buffer[this.head + offset];
  }

  async next(): Promise<T | undefined> {
    const value = await this.peek();
    if (value !== undefined) this.head += 1;
    return value;
  }

  /** Ends the underlying stream early (closes its cursor or file). */
  async close(): Promise<void> {
    this.buffer = [];
    this.head = 0;
    if (!this.ended) {
      this.ended = true;
      await this.iterator.return?.();
    }
  }

  private append(page: T[]): void {
    // The page is the stream's own array: keep it rather than copy it, unless records are left before it.
    this.buffer = this.head === this.buffer.length ? page : this.buffer.slice(this.head).concat(page);
    this.head = 0;
  }
}
