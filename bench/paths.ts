/** Where things are, whether the bench runs compiled (dist-bench/bench/) or from source (bench/). */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Chronicle checkout: the nearest folder above this file holding scripts/pg-throwaway.sh. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'scripts', 'pg-throwaway.sh'))) return dir;
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error('bench: cannot find the Chronicle checkout (scripts/pg-throwaway.sh)');
    dir = parent;
  }
}

/** The measurement child's entry point, beside this file (measure.js compiled, measure.ts from source). */
export function measureEntry(): string {
  const self = fileURLToPath(import.meta.url);
  return join(dirname(self), `measure${self.endsWith('.ts') ? '.ts' : '.js'}`);
}
