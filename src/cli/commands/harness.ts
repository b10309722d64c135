import type { Command } from 'commander';
import { counted, EXIT, formatCounts, type Io, printJson, printLines } from '../output.js';
import { wholeNumber } from '../whole-number.js';

/** `chronicle harness list|corrupt|golden|generate`: test packages and golden suites for QA (no database). */
export function registerHarness(program: Command, io: Io, setExit: (code: number) => void): void {
  const harness = program
    .command('harness')
    .description(
      'QA harness: generate valid test packages, break copies of packages in named ways, run golden suites',
    );

  harness
    .command('list')
    .description('list the corruption scenarios and the rejection each one must cause')
    .option('--json', 'print one JSON object on stdout')
    .action(async (opts: { json?: boolean }) => {
      const { listScenarios } = await import('../../harness/scenarios.js');
      const scenarios = listScenarios();
      if (opts.json) {
        printJson(io, {
          scenarios: scenarios.map((s) => ({
            name: s.name,
            description: s.description,
            expected_code: s.expectedCode,
            expected_phase: s.expectedPhase,
          })),
        });
      } else {
        const width = Math.max(...scenarios.map((s) => s.name.length));
        printLines(
          io,
          scenarios.map(
            (s) => `${s.name.padEnd(width)}  ${s.expectedCode} (${s.expectedPhase}): ${s.description}`,
          ),
        );
      }
      setExit(EXIT.ok);
    });

  harness
    .command('corrupt')
    .description(
      'copy a valid package to --out and break the copy in one named way (the source is not changed)',
    )
    .argument('<package-dir>', 'the valid package to copy')
    .requiredOption('--scenario <name>', 'what to break (see `chronicle harness list`)')
    .requiredOption('--out <dir>', 'where to write the copy (absent or empty)')
    .option('--json', 'print one JSON object on stdout')
    .action(async (dir: string, opts: { scenario: string; out: string; json?: boolean }) => {
      const { corruptPackage } = await import('../../harness/corrupt-package.js');
      const result = await corruptPackage(dir, opts.scenario, opts.out);
      if (opts.json) {
        printJson(io, {
          outcome: 'corrupted',
          dir: result.dir,
          scenario: result.scenario,
          file: result.file,
          detail: result.detail,
          expected_code: result.expectedCode,
          expected_phase: result.expectedPhase,
        });
      } else {
        printLines(io, [
          `corrupted: ${result.dir} (scenario ${result.scenario})`,
          `  change         ${result.detail}`,
          `  expect         [${result.expectedCode}] in phase ${result.expectedPhase}`,
        ]);
      }
      setExit(EXIT.ok);
    });

  harness
    .command('golden')
    .description(
      'plan every case of a golden suite (<case>/package beside <case>/expected.json) and compare the outcomes',
    )
    .argument('<cases-dir>', 'the folder of cases (e.g. a copy of the conformance corpus)')
    .option('--update', 'record the outcome of every new or changed case in its expected.json')
    .option('--json', 'print one JSON object on stdout')
    .action(async (dir: string, opts: { update?: boolean; json?: boolean }) => {
      const { runGoldenSuite, GOLDEN_STATUSES } = await import('../../harness/golden.js');
      const cases = await runGoldenSuite(dir, { update: opts.update });
      const total = (status: string) => cases.filter((c) => c.status === status).length;
      if (opts.json) {
        printJson(io, {
          cases: cases.map((c) => ({ case: c.name, status: c.status, differences: c.differences })),
          ok: total('ok'),
          mismatch: total('mismatch'),
          recorded: total('recorded'),
        });
      } else {
        // The same column whichever statuses this run has: suites' outputs line up when compared.
        const width = Math.max(...GOLDEN_STATUSES.map((status) => status.length));
        printLines(io, [
          ...cases.flatMap((c) => [
            `${c.status.padEnd(width)}  ${c.name}`,
            ...c.differences.map((difference) => `${' '.repeat(width)}    ${difference}`),
          ]),
          `${counted(cases.length, 'case')}: ${total('ok')} ok, ${total('mismatch')} mismatch, ${total('recorded')} recorded`,
        ]);
      }
      setExit(total('mismatch') > 0 ? EXIT.rejected : EXIT.ok);
    });

  harness
    .command('generate')
    .description('write a valid package of N objects, the same bytes for the same seed and N')
    .requiredOption('--objects <n>', 'how many objects (entities, edges, tags, affordances, lore chunks)')
    .requiredOption('--seed <s>', 'seed, 0 to 4294967295')
    .requiredOption('--out <dir>', 'where to write the package (absent or empty)')
    .option('--json', 'print one JSON object on stdout')
    .action(async (opts: { objects: string; seed: string; out: string; json?: boolean }) => {
      const { generatePackage, MIN_OBJECTS, MAX_OBJECTS, MAX_SEED } = await import(
        '../../harness/generate-package.js'
      );
      const result = await generatePackage({
        objects: wholeNumber('--objects', opts.objects, { min: MIN_OBJECTS, max: MAX_OBJECTS }),
        seed: wholeNumber('--seed', opts.seed, { max: MAX_SEED }),
        outDir: opts.out,
      });
      if (opts.json) {
        printJson(io, {
          outcome: 'generated',
          dir: result.dir,
          package_id: result.packageId,
          files: result.files,
          objects: result.objects,
          counts: result.expectedCounts,
        });
      } else {
        printLines(io, [
          `generated: package ${result.packageId} in ${result.dir}`,
          `  files          ${result.files}`,
          `  objects        ${result.objects}`,
          `  counts         ${formatCounts({ ...result.expectedCounts })}`,
        ]);
      }
      setExit(EXIT.ok);
    });
}
