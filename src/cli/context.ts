/** What every command needs: the merged configuration, a logger and a way to open the database. */
import type { Command } from 'commander';
import { createLogger, type Database, type Logger, openDatabase } from '../index.js';
import { type ChronicleConfig, loadConfig } from './config.js';
import type { Io } from './output.js';

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
  /** Opens (and migrates) the configured database; the caller closes it. */
  openDatabase(): Promise<Database>;
}

export function cliContext(command: Command, io: Io): CliContext {
  const flags = command.optsWithGlobals<GlobalFlags>();
  const config = loadConfig(flags.config ? { configPath: flags.config } : {});
  if (flags.databaseUrl) config.database_url = flags.databaseUrl;
  if (flags.dataDir) config.data_dir = flags.dataDir;
  const level = flags.logLevel ?? config.log_level;
  const logger = createLogger({
    level,
    pretty: Boolean(io.stderr.isTTY) && process.env.CHRONICLE_LOG_FORMAT !== 'json',
  });
  return {
    io,
    config,
    logger,
    openDatabase: () =>
      openDatabase(config.database_url ? { databaseUrl: config.database_url } : { dataDir: config.data_dir }),
  };
}

export async function withDatabase<T>(ctx: CliContext, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await ctx.openDatabase();
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}
