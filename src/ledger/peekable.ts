/** An async stream with a small look-ahead, for merging sorted streams one record at a time. */
export class Peekable<T> {
  private readonly buffer: T[] = [];
  private ended = false;
  private readonly iterator: AsyncIterator<T>;

  constructor(source: AsyncIterable<T>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /** The record `offset` places ahead (0: the next one), without consuming it. */
  async peek(offset = 0): Promise<T | undefined> {
    while (this.buffer.length <= offset && !this.ended) {
      const result = await this.iterator.next();
      if (result.done) this.ended = true;
      else this.buffer.push(result.value);
    }
    return this.buffer[offset];
  }

  async next(): Promise<T | undefined> {
    const value = await this.peek();
    if (value !== undefined) this.buffer.shift();
    return value;
  }

  /** Ends the underlying stream early (closes its cursor or file). */
  async close(): Promise<void> {
    this.buffer.length = 0;
    if (!this.ended) {
      this.ended = true;
      await this.iterator.return?.();
    }
  }
}
