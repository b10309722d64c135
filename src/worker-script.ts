/**
 * Where a worker thread's compiled script is. Worker threads run JavaScript: from the build, the script beside
 * this module; from the TypeScript sources (the test suite), the one `npm run build` compiled into `dist/`.
 * `null` when neither exists (callers then do the work on their own thread).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `script`: the worker's path under `src/` as compiled, e.g. `importer/plan-worker.js`. */
export function compiledWorkerScript(script: string): string | null {
  for (const candidate of [`./${script}`, `../dist/${script}`]) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return path;
  }
  return null;
}
