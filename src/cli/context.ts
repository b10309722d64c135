/** What every command needs: the merged configuration, a logger and a way to open the database. */
import type { Command } from 'commander';
import type { Database, OpenOptions } from '../db/database.js';
import { holdsPgliteDatabase, holdsPgliteFiles } from '../db/pglite-files.js';
import { InterruptedError, UsageError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { ChronicleConfig } from './config.js';
import { type StopRequest, stopOnSignals } from './interrupt.js';
import { type Io, printError } from './output.js';
import type { Progress } from './progress.js';

export interface GlobalFlags {
  databaseUrl?: string;
  dataDir?: string;
  config?: string;
  logLevel?: string;
}

export interface CliContext {
  io: Io;
  config: ChronicleConfig;
  logger: Logger;
  /**
   * Opens (and migrates, unless `migrate: false`) the configured database; the caller closes it. `existing`: a
   * command that only reads refuses an embedded data dir that holds no database (`usage.no_database`) instead
   * of creating one there (a mistyped `--data-dir` must not answer as an empty database).
   */
  openDatabase(options?: DatabaseUse): Promise<Database>;
}

export interface DatabaseUse extends Pick<OpenOptions, 'migrate' | 'signal'> {
  existing?: boolean;
  /** How long to wait for an embedded data dir another process holds (default: the configured lock_timeout). */
  lockTimeout?: string;
  /** The command's progress line: told what opening does (creating an embedded database takes seconds). */
  progress?: Progress;
}

export async function cliContext(command: Command, io: Io): Promise<CliContext> {
  const { loadConfig, lockTimeoutMs } = await import('./config.js');
  const { createLogger } = await import('../observability/logger.js');
  const flags = command.optsWithGlobals<GlobalFlags>();
  const config = await loadConfig(flags.config ? { configPath: flags.config } : {});
  if (flags.databaseUrl) config.database_url = flags.databaseUrl;
  if (flags.dataDir) config.data_dir = flags.dataDir;
  const pretty = Boolean(io.stderr.isTTY) && process.env.CHRONICLE_LOG_FORMAT !== 'json';
  const logger = createLogger({ level: logLevelFor(flags.logLevel, config.log_level, pretty), pretty });
  return {
    io,
    config,
    logger,
    openDatabase: async ({
      existing = false,
      lockTimeout = config.lock_timeout,
      progress,
      ...options
    } = {}) => {
      const { openDatabase } = await import('../db/open-database.js');
      if (config.database_url) {
        progress?.update('connecting to the database…', { force: true });
        return openDatabase({ databaseUrl: config.database_url, ...options });
      }
      if (existing) refuseEmptyDataDir(config.data_dir);
      progress?.update(
        holdsPgliteDatabase(config.data_dir) || holdsPgliteFiles(config.data_dir)
          ? `opening the embedded database in ${config.data_dir}…`
          : `creating the embedded database in ${config.data_dir} (the first time only: a few seconds)…`,
        { force: true },
      );
      // A command that does not stop on signals itself still stops once it had to wait for the data dir (SIGINT,
      // SIGTERM: `open.interrupted`, exit 130 or 143, its JSON error with --json): at once while it waits, else
      // as soon as the database is open (starting the engine and migrating do not look at the signal).
      const waitStop = options.signal ? null : new AbortController();
      let stopWaiting: StopRequest | null = null;
      try {
        const db = await openDatabase({
          dataDir: config.data_dir,
          ...options,
          ...(waitStop ? { signal: waitStop.signal } : {}),
          lockTimeoutMs: lockTimeoutMs(lockTimeout),
          onLockWait: (pid) => {
            progress?.done();
            if (waitStop) {
              stopWaiting = stopOnSignals((signal) => waitStop.abort(new InterruptedError(signal, 'open')));
            }
            printError(io, [
              `chronicle: the data directory ${config.data_dir} is in use by another Chronicle process ` +
                `(pid ${pid ?? 'unknown'}): waiting up to ${lockTimeout} (lock_timeout) for it`,
            ]);
          },
        });
        if (waitStop?.signal.aborted) {
          await db.close();
          throw waitStop.signal.reason;
        }
        return db;
      } finally {
        (stopWaiting as StopRequest | null)?.release();
      }
    },
  };
}

function refuseEmptyDataDir(dataDir: string): void {
  // Files without a database: opening it says what is wrong (db.connect), not "import a package first".
  if (holdsPgliteDatabase(dataDir) || holdsPgliteFiles(dataDir)) return;
  throw new UsageError(
    `no Chronicle database in ${dataDir}: give the --data-dir (or DATABASE_URL) of one, or import a package first`,
    { data_dir: dataDir },
    'usage.no_database',
  );
}

export async function withDatabase<T>(
  ctx: CliContext,
  fn: (db: Database) => Promise<T>,
  use: DatabaseUse = {},
): Promise<T> {
  const db = await ctx.openDatabase(use);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/**
 * `--log-level`, else the configured level, else `warn`; but at a terminal `error` by default: what a `warn`
 * line says there (a refused import, a failed verification) the command's own output has just said.
 */
export function logLevelFor(
  flag: string | undefined,
  configured: string | undefined,
  terminal: boolean,
): string {
  return flag ?? configured ?? (terminal ? 'error' : 'warn');
}
