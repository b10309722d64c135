/** Runs at most `max` of the given async tasks at the same time (the rest wait in call order). */
export function createLimiter(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  // A FIFO with a moving head: `shift()` on a queue of 60,000 waiters is quadratic.
  let waiting: (() => void)[] = [];
  let head = 0;
  const release = (): void => {
    running -= 1;
    const next = waiting[head];
    if (next === undefined) return;
    waiting[head] = undefined as unknown as () => void;
    head += 1;
    if (head === waiting.length) {
      waiting = [];
      head = 0;
    }
    next();
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await task();
    } finally {
      release();
    }
  };
}
