/**
 * SIGINT (Ctrl-C) and SIGTERM (a service manager stopping the worker) during an import, an export or a verification:
 * the first asks it to stop (an import rolls back and is recorded as an attempt like any other failure; an export
 * removes its unfinished file; a verification concludes nothing); a second one ends the process at once (Node's
 * default).
 */
import { constants } from 'node:os';
import { InterruptedError, type StoppableOperation } from '../errors.js';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export interface StopRequest {
  /** Aborted, with an `InterruptedError` as its reason, at the first signal. */
  signal: AbortSignal;
  /** Gives the signals back to Node's default handling. */
  release(): void;
}

export function stopOnSignals(
  onStop: (signal: NodeJS.Signals) => void,
  operation: StoppableOperation = 'import',
): StopRequest {
  const controller = new AbortController();
  const handlers = STOP_SIGNALS.map((name) => {
    const handler = () => {
      release();
      onStop(name);
      controller.abort(new InterruptedError(name, operation));
    };
    process.once(name, handler);
    return [name, handler] as const;
  });
  function release(): void {
    for (const [name, handler] of handlers) process.off(name, handler);
  }
  return { signal: controller.signal, release };
}

/** The conventional exit status of a process stopped by `signal`: 128 + its number (SIGINT 130, SIGTERM 143). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + constants.signals[signal];
}
