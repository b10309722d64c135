/** What the numbers were measured on: machine, load, versions. */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

export interface Environment {
  cpu: string;
  memory: string;
  os: string;
  /** 1, 5 and 15 minute load averages when the bench started: other work on the machine skews absolute figures. */
  loadAverage: string;
  node: string;
  packages: Record<string, string>;
}

const PACKAGES = ['pg', 'pg-copy-streams', '@electric-sql/pglite', 'drizzle-orm'];

function packageVersion(name: string): string {
  try {
    const manifest = JSON.parse(
      readFileSync(join(repoRoot(), 'node_modules', name, 'package.json'), 'utf8'),
    ) as {
      version?: string;
    };
    return manifest.version ?? '?';
  } catch {
    return '?';
  }
}

export function environment(): Environment {
  const cpus = os.cpus();
  const chronicle = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { version: string };
  return {
    cpu: `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}`,
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    loadAverage: os
      .loadavg()
      .map((load) => load.toFixed(2))
      .join(' / '),
    node: process.version,
    packages: {
      chronicle: chronicle.version,
      ...Object.fromEntries(PACKAGES.map((name) => [name, packageVersion(name)])),
    },
  };
}
