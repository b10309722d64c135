/** The harness writes only into a directory that does not exist yet or is empty: it never overwrites. */
import { mkdir, readdir } from 'node:fs/promises';
import { UsageError } from '../errors.js';

/** Creates `outDir` (and its parents) when absent; refuses a file or a non-empty directory. */
export async function prepareOutDir(outDir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(outDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      await mkdir(outDir, { recursive: true });
      return;
    }
    if (code === 'ENOTDIR')
      throw new UsageError(`output ${outDir} exists and is not a directory`, { out: outDir });
    throw error;
  }
  if (entries.length > 0) {
    throw new UsageError(`output directory ${outDir} exists and is not empty`, { out: outDir });
  }
}
