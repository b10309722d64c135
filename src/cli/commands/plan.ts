import type { Command } from 'commander';
import { PackageRejectedError } from '../../errors.js';
import { cliContext } from '../context.js';
import { EXIT, formatCounts, type Io, printError, printJson, printLines } from '../output.js';

/** Rejections that a stale content_index explains (a file edited, added or removed since it was last built). */
const INDEX_CODES =
  /^(package\.(missing_file|hash_mismatch|unlisted_file)|(entity|edge|lore)\.hash_mismatch)$/;

export function registerPlan(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('plan')
    .description('validate a package and show what importing it would do, without touching any database')
    .argument('<package-dir>', 'the package directory (holds package.manifest.json)')
    .option(
      '--strict',
      'strict validation: complete content_index, schemas, real ULIDs, no duplicate keys, LF+NFC',
    )
    .option(
      '--no-embeddings',
      'leave lore embedding_hint out of chunks (the reference flag features.importer_embeddings)',
    )
    .option('--json', 'print one JSON object on stdout')
    .action(
      async (
        dir: string,
        opts: { strict?: boolean; embeddings: boolean; json?: boolean },
        command: Command,
      ) => {
        const { planImport } = await import('../../plan/plan-import.js');
        const ctx = await cliContext(command, io);
        try {
          const plan = await planImport(dir, {
            strict: opts.strict ?? ctx.config.strict,
            embeddings: opts.embeddings && ctx.config.features.importer_embeddings,
          });
          const events = plan.objects.length + 2;
          if (opts.json) {
            printJson(io, {
              outcome: 'planned',
              package_id: plan.packageId,
              manifest_hash: plan.manifestHash,
              state_digest: plan.stateDigest,
              counts: plan.counts,
              events,
              warnings: plan.warnings,
            });
          } else {
            printLines(io, [
              `planned: package ${plan.packageId} would append ${events} events`,
              `  manifest hash  ${plan.manifestHash}`,
              `  state digest   ${plan.stateDigest}`,
              `  counts         ${formatCounts({ ...plan.counts })}`,
              ...plan.warnings.map((w) => `  warning        ${w}`),
            ]);
          }
          setExit(EXIT.ok);
        } catch (error) {
          if (!(error instanceof PackageRejectedError)) throw error;
          if (opts.json) printJson(io, { outcome: 'rejected', error: error.toJSON() });
          else {
            printError(io, [
              `rejected: [${error.code}] ${error.message}`,
              ...(INDEX_CODES.test(error.code)
                ? [`  if you edited the package: \`chronicle index ${dir}\` rebuilds its content_index`]
                : []),
            ]);
          }
          setExit(EXIT.rejected);
        }
      },
    );
}
