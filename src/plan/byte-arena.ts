/**
 * Bytes kept for a while, packed back to back in large blocks. A small Buffer made the usual way lives in one of
 * Node's shared 8 KB pool slabs, next to whatever else was allocated then, and keeps the whole slab alive: the
 * sealed payloads of a phase, interleaved with the short-lived buffers made while hashing, held ~2.5 times their
 * size in slabs (the lore phase of the 200k-object benchmark package: 88 MB of slabs for 40,000 payloads).
 */
export class ByteArena {
  private block: Buffer = Buffer.alloc(0);
  private used = 0;

  constructor(private readonly blockSize = 1 << 20) {}

  /** The UTF-8 bytes of `text`, in the arena (a text too big for a block gets a buffer of its own). */
  copyUtf8(text: string): Buffer {
    // Three bytes per UTF-16 unit at most: when that fits, write without measuring first.
    const bound = text.length * 3;
    if (bound > this.block.length - this.used) {
      const length = Buffer.byteLength(text, 'utf8');
      if (length > this.blockSize / 4) return Buffer.from(text, 'utf8');
      if (length > this.block.length - this.used) {
        this.block = Buffer.allocUnsafeSlow(this.blockSize);
        this.used = 0;
      }
    }
    const start = this.used;
    this.used += this.block.write(text, start, 'utf8');
    return this.block.subarray(start, this.used);
  }
}
