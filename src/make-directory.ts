/**
 * `mkdir -p` that fails instead of spinning: Node's own `mkdirSync(dir, { recursive: true })` loops forever,
 * at full CPU and deaf to signals, when the file system refuses a directory with ENOENT (under /proc). Here the
 * missing components are created one at a time, from the deepest one that exists, and the first refusal is
 * thrown as the system gave it.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';

export function makeDirectory(dir: string): void {
  const missing: string[] = [];
  for (let probe = path.resolve(dir); !existsSync(probe); probe = path.dirname(probe)) {
    missing.push(probe);
    if (path.dirname(probe) === probe) break;
  }
  for (const component of missing.reverse()) {
    try {
      mkdirSync(component);
    } catch (error) {
      // Made meanwhile by another process: fine when it is a directory.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(component).isDirectory())
        throw error;
    }
  }
}
