/**
 * Structured logs: JSON lines on stderr (pretty on a TTY). Lines carry package-relative paths, stable ids and
 * hashes only, never file contents or absolute paths.
 */
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger } from 'pino';

export const LOG_EVENTS = {
  phaseStart: 'import.phase.start',
  phaseEnd: 'import.phase.end',
  committed: 'import.committed',
  noop: 'import.noop',
  rolledBack: 'import.rolled_back',
  disabled: 'import.disabled',
  runRecordFailed: 'import.run_record_failed',
  abandoned: 'import.abandoned',
  recordedLate: 'import.recorded_late',
  recordedByAnother: 'import.recorded_by_another',
  commitConfirmed: 'import.commit_confirmed',
  commitUnknown: 'import.commit_unknown',
  metricsExportFailed: 'metrics.export_failed',
  verifyOk: 'verify.ok',
  verifyFailed: 'verify.failed',
} as const;

export interface LoggerOptions {
  level?: string;
  /** Where lines go; default stderr (fd 2). Tests pass a stream to capture lines. */
  destination?: DestinationStream;
  pretty?: boolean;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  if (options.destination) return pino({ level, base: null }, options.destination);
  if (options.pretty) {
    return pino({
      level,
      base: null,
      transport: { target: 'pino-pretty', options: { destination: 2 } },
    });
  }
  return pino({ level, base: null }, pino.destination({ fd: 2, sync: true }));
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
