/**
 * Which log lines a run shows: the flag, else the configuration, else `warn` for machines and `error` at a
 * terminal, where the command's own output has just said what a `warn` line would (a refused import).
 */
import { describe, expect, it } from 'vitest';
import { logLevelFor } from '../../../src/cli/context.js';

describe('the log level of a run', () => {
  it('is warn when stderr is collected, error when a person reads it at a terminal', () => {
    expect(logLevelFor(undefined, undefined, false)).toBe('warn');
    expect(logLevelFor(undefined, undefined, true)).toBe('error');
  });

  it('is what the flag or the configuration says, at a terminal too', () => {
    expect(logLevelFor('info', undefined, true)).toBe('info');
    expect(logLevelFor(undefined, 'warn', true)).toBe('warn');
    expect(logLevelFor('debug', 'warn', false)).toBe('debug');
  });
});
