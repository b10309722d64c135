import type { Command } from 'commander';
import { cliContext } from '../context.js';
import { counted, EXIT, type Io, printJson, printLines } from '../output.js';
import { progressReporter } from '../progress.js';

export function registerMigrate(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('migrate')
    .description('apply pending schema migrations (import does this automatically); refuses a newer database')
    .option('--json', 'print one JSON object on stdout')
    .action(async (opts: { json?: boolean }, command: Command) => {
      const { migrate } = await import('../../db/migrate.js');
      const ctx = await cliContext(command, io);
      const progress = progressReporter(io, !opts.json);
      const db = await ctx.openDatabase({ migrate: false, progress }).finally(() => progress.done());
      try {
        progress.update('migrating…', { force: true });
        const result = await migrate(db).finally(() => progress.done());
        if (opts.json) printJson(io, { applied: result.applied, current: result.current });
        else
          printLines(io, [
            result.applied.length
              ? `applied ${counted(result.applied.length, 'migration')}: ${result.applied.join(', ')}`
              : 'the database schema is up to date',
            `  schema version ${result.current}`,
          ]);
      } finally {
        await db.close();
      }
      setExit(EXIT.ok);
    });
}
