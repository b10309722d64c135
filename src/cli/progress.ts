/** A one-line progress display on stderr, shown only on a terminal, throttled to ~10 updates a second. */
import type { Io } from './output.js';

export interface Progress {
  update(text: string): void;
  done(): void;
}

export function progressReporter(io: Io, enabled: boolean): Progress {
  if (!enabled || !io.stderr.isTTY) return { update: () => {}, done: () => {} };
  let last = 0;
  let shown = false;
  return {
    update(text) {
      const now = performance.now();
      if (now - last < 100) return;
      last = now;
      shown = true;
      io.stderr.write(`\r\x1b[K${text}`);
    },
    done() {
      if (shown) io.stderr.write('\r\x1b[K');
    },
  };
}
