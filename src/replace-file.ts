/**
 * Writes a whole file under a temporary name beside it, then renames it over the target: a reader (a metrics
 * scrape, an auditor's script) never sees half a file, and what the write needs is the folder's permission alone,
 * which `assertWritableTarget` checks before a command starts.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';

export function replaceFile(file: string, content: string | Uint8Array): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, content);
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
