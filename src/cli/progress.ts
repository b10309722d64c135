/** A one-line progress display on stderr, shown only on a terminal, throttled to ~10 updates a second. */
import type { Io } from './output.js';

export interface Progress {
  /** `force`: show it even within the throttle interval (a stage change the user should see). */
  update(text: string, options?: { force?: boolean }): void;
  done(): void;
}

export function progressReporter(io: Io, enabled: boolean): Progress {
  if (!enabled || !io.stderr.isTTY) return { update: () => {}, done: () => {} };
  let last = 0;
  let shown = false;
  return {
    update(text, options = {}) {
      const now = performance.now();
      if (!options.force && now - last < 100) return;
      last = now;
      shown = true;
      io.stderr.write(`\r\x1b[K${text}`);
    },
    done() {
      if (shown) io.stderr.write('\r\x1b[K');
      shown = false;
    },
  };
}
