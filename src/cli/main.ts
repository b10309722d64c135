/**
 * The `chronicle` command line. Exit codes (a contract, see docs/cli.md): 0 ok (committed, noop, verified),
 * 1 package rejected and rolled back, 2 usage or configuration error, 3 database or internal error,
 * 4 verification failed.
 *
 * Every command is declared here, but the code it runs is loaded only when it runs: the command modules
 * import nothing heavy at the top, and each action starts with `await import(...)` of what it uses. So
 * `--help`, `--version` and each command carry only their own modules (`verify` of a long chain has no
 * memory to spare for the importer, ajv's package schemas or another database driver). Keep it that way:
 * `import type` for types, and never `../index.js` (it loads everything).
 */
import { Command, CommanderError, Option } from 'commander';
import { ChronicleError, InterruptedError, UsageError } from '../errors.js';
import { classifyFailure } from '../importer/failure-codes.js';
import { registerCampaigns } from './commands/campaigns.js';
import { registerCheckpoint } from './commands/checkpoint.js';
import { registerDigest } from './commands/digest.js';
import { registerExport } from './commands/export.js';
import { registerHarness } from './commands/harness.js';
import { registerImport } from './commands/import.js';
import { registerIndex } from './commands/index-package.js';
import { registerKeygen } from './commands/keygen.js';
import { registerLog } from './commands/log.js';
import { registerMigrate } from './commands/migrate.js';
import { registerPlan } from './commands/plan.js';
import { registerRuns } from './commands/runs.js';
import { registerVerify } from './commands/verify.js';
import { signalExitCode } from './interrupt.js';
import { dropOutputToClosedPipes, EXIT, type Io, printError, printJson, processIo } from './output.js';

/** `--log-level` values: pino's levels and `silent` (the same list as log_level in schemas/config.schema.json). */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('chronicle')
    .description(
      'Import campaign content packages into a hash-chained, event-sourced ledger on PostgreSQL (or embedded PGlite).',
    )
    .version('0.1.0')
    .option(
      '--database-url <url>',
      'PostgreSQL connection string (env DATABASE_URL / CHRONICLE_DATABASE_URL); default: embedded PGlite',
    )
    .option('--data-dir <dir>', 'PGlite data directory when no database URL is given (default ./.chronicle)')
    .option(
      '--config <file>',
      'configuration file (default: chronicle.config.json|yaml in the working directory)',
    )
    .addOption(
      new Option('--log-level <level>', 'how much to log (logs are JSON lines on stderr)').choices(
        LOG_LEVELS,
      ),
    )
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride();
  program.addHelpText(
    'after',
    `
Exit codes: 0 ok, 1 package rejected (nothing written), 2 usage, 3 database, file system or internal error,
  4 verification failed, 130/143 stopped by SIGINT/SIGTERM (an import rolled back and recorded, an export
  leaving no file, a verification concluding nothing, any other command stopped while it waited for an embedded
  database another process held, doing nothing).
Examples:
  chronicle plan ./my-package --json
  chronicle import ./my-package --campaign saltmarrow
  chronicle verify --campaign saltmarrow`,
  );
  registerPlan(program, io, setExit);
  registerIndex(program, io, setExit);
  registerImport(program, io, setExit);
  registerVerify(program, io, setExit);
  registerCheckpoint(program, io, setExit);
  registerExport(program, io, setExit);
  registerKeygen(program, io, setExit);
  registerCampaigns(program, io, setExit);
  registerDigest(program, io, setExit);
  registerLog(program, io, setExit);
  registerRuns(program, io, setExit);
  registerMigrate(program, io, setExit);
  registerHarness(program, io, setExit);
  return program;
}

export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  if (io === processIo) dropOutputToClosedPipes([process.stdout, process.stderr]);
  let exitCode: number = EXIT.ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
    // The process's own, for bin/chronicle.js: decided, so a signal from now on changes nothing.
    if (io === processIo) process.exitCode = code;
  });
  const wantsJson = argv.includes('--json');
  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.exitCode === 0
      ) {
        return EXIT.ok;
      }
      // Commander has written its message to stderr; a script asking for JSON gets it on stdout too.
      if (wantsJson) {
        const message = error.message.replace(/^error: /, '');
        printJson(io, { outcome: 'error', error: { code: 'usage.invalid', message } });
      }
      return EXIT.usage;
    }
    // Stopped by a signal before the command began its work (while it waited for the data dir's lock): 130 or 143.
    const code =
      error instanceof InterruptedError && error.signal
        ? signalExitCode(error.signal)
        : error instanceof UsageError
          ? EXIT.usage
          : EXIT.internal;
    // A database's own error (a privilege this role lacks, say) keeps its db.* code and SQLSTATE.
    const payload = error instanceof ChronicleError ? error.toJSON() : describeUnexpected(error);
    if (wantsJson) printJson(io, { outcome: 'error', error: payload });
    printError(io, [`chronicle: [${String(payload.code)}] ${String(payload.message)}`]);
    if (/^(1|true)$/i.test(process.env.CHRONICLE_DEBUG ?? '') && error instanceof Error && error.stack) {
      printError(io, [error.stack]);
    }
    return code;
  }
}

function describeUnexpected(error: unknown): Record<string, unknown> {
  const { code, message, facts } = classifyFailure(error);
  return { code, message, ...facts };
}
