/**
 * Turns of the event loop for long work whose awaits never leave it. An embedded database (PGlite) answers in this
 * thread, so an import or a verification on it can run for seconds on promise callbacks alone, and the event loop
 * never reaches its I/O phase, where a process signal (Ctrl-C, SIGTERM) is delivered: the signal would be seen
 * only once the work was done (an import would commit after Ctrl-C). The returned function lets the event loop run
 * once when `everyMs` have passed since it last did.
 */
export const SIGNAL_LATENCY_MS = 50;

export function eventLoopTurns(everyMs = SIGNAL_LATENCY_MS): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < everyMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    last = performance.now();
  };
}
