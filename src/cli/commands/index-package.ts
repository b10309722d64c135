import type { Command } from 'commander';
import { PackageRejectedError } from '../../errors.js';
import type { IndexRebuild } from '../../package/rebuild-content-index.js';
import { cliContext } from '../context.js';
import { EXIT, type Io, printError, printJson, printLines } from '../output.js';

export function registerIndex(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('index')
    .description(
      "rebuild a package's content_index from its files (for authors; --check only reports whether it is stale)",
    )
    .argument('<package-dir>', 'the package directory (holds package.manifest.json)')
    .option('--check', 'change nothing: exit 1 if content_index is stale (for a content repository CI)')
    .option('--json', 'print one JSON object on stdout')
    .action(async (dir: string, opts: { check?: boolean; json?: boolean }, command: Command) => {
      const { isStale, rebuildContentIndex, writeRebuiltManifest } = await import(
        '../../package/rebuild-content-index.js'
      );
      const { openPackage } = await import('../../package/read-package.js');
      const { DEFAULT_PLAN_OPTIONS } = await import('../../phases/types.js');
      await cliContext(command, io);
      try {
        const rebuild = rebuildContentIndex(dir);
        const stale = isStale(rebuild);
        if (stale && !opts.check) writeRebuiltManifest(rebuild);
        const outcome = !stale ? 'current' : opts.check ? 'stale' : 'written';
        // The manifest as the import will read it (an unchanged stale one under --check has no hash worth showing).
        const manifestHash =
          outcome === 'stale' ? null : (await openPackage(dir, DEFAULT_PLAN_OPTIONS)).manifest.manifestHash;
        if (opts.json) {
          printJson(io, {
            outcome,
            listed: rebuild.listed,
            added: rebuild.added,
            updated: rebuild.updated,
            removed: rebuild.removed,
            manifest_hash: manifestHash,
          });
        } else {
          printLines(io, [headline(outcome, rebuild, dir), ...changeLines(rebuild)]);
          if (manifestHash) printLines(io, [`  manifest hash  ${manifestHash}`]);
        }
        setExit(outcome === 'stale' ? EXIT.rejected : EXIT.ok);
      } catch (error) {
        if (!(error instanceof PackageRejectedError)) throw error;
        if (opts.json) printJson(io, { outcome: 'rejected', error: error.toJSON() });
        else printError(io, [`rejected: [${error.code}] ${error.message}`, '  nothing was written']);
        setExit(EXIT.rejected);
      }
    });
}

function headline(outcome: 'current' | 'stale' | 'written', rebuild: IndexRebuild, dir: string): string {
  const summary =
    `${rebuild.added.length} added, ${rebuild.updated.length} changed, ${rebuild.removed.length} removed; ` +
    `${rebuild.listed} files listed`;
  switch (outcome) {
    case 'current':
      return `content_index is up to date: ${rebuild.listed} files listed`;
    case 'stale':
      return `content_index is stale: ${summary} (run \`chronicle index ${dir}\` to update it)`;
    case 'written':
      return `content_index updated: ${summary}`;
  }
}

function changeLines(rebuild: IndexRebuild): string[] {
  return [
    ...rebuild.added.map((file) => `  + ${file}`),
    ...rebuild.updated.map((file) => `  ~ ${file}`),
    ...rebuild.removed.map(({ path, reason }) => `  - ${path} (${reason})`),
  ];
}
