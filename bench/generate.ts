/**
 * Writes a generated package for benchmarks and load tests, and says how long it took.
 *   npm run bench:generate -- --objects 200000 --seed 7 --out /tmp/chronicle-200k
 * Same as `chronicle harness generate`, plus the time it took.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { generatePackage } from '../src/harness/index.js';

const { values } = parseArgs({
  options: {
    objects: { type: 'string', default: '200000' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string' },
  },
});
if (!values.out) {
  process.stderr.write('usage: npm run bench:generate -- [--objects N] [--seed S] --out <dir>\n');
  process.exit(2);
}

const started = performance.now();
const result = await generatePackage({
  objects: Number(values.objects),
  seed: Number(values.seed),
  outDir: values.out,
});
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  `${JSON.stringify({ ...result, seconds: Number(seconds.toFixed(2)), objects_per_second: Math.round(result.objects / seconds) }, null, 2)}\n`,
);
