/**
 * The real `chronicle` binary as a child process that a test can watch line by line and kill, plus the
 * database arguments that point it at a test database of either backend.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Backend } from '../../../src/index.js';
import { BIN, REPO_ROOT } from '../../support/cli.js';
import type { TestDatabase } from '../../support/databases.js';

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ChildCli {
  child: ChildProcess;
  done: Promise<ChildResult>;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  /** Called for every stderr line (JSON log lines when the log level lets them through). */
  onStderrLine?: (line: string, child: ChildProcess) => void;
}

export function startCli(args: readonly string[], options: StartOptions = {}): ChildCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, CHRONICLE_LOG_LEVEL: 'silent', CHRONICLE_ALLOW_FAULTS: '0', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  const lines = createInterface({ input: child.stderr as NodeJS.ReadableStream });
  lines.on('line', (line) => {
    stderr += `${line}\n`;
    options.onStderrLine?.(line, child);
  });
  const done = new Promise<ChildResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

export function runChild(args: readonly string[], options: StartOptions = {}): Promise<ChildResult> {
  return startCli(args, options).done;
}

/**
 * Global flags and environment that point the CLI at `target`. For PGlite the test process must have closed
 * its own handle first (a data dir has one user at a time).
 */
export function databaseArgs(target: TestDatabase): { args: string[]; env: NodeJS.ProcessEnv } {
  return cliTarget(target.backend, target.backend === 'pg' ? target.url : target.dataDir);
}

export function cliTarget(
  backend: Backend,
  location: string | undefined,
): { args: string[]; env: NodeJS.ProcessEnv } {
  if (!location) throw new Error(`no ${backend === 'pg' ? 'URL' : 'data dir'} for the CLI`);
  return backend === 'pg'
    ? { args: ['--database-url', location], env: {} }
    : { args: ['--data-dir', location], env: { DATABASE_URL: '', CHRONICLE_DATABASE_URL: '' } };
}

/** The JSON log lines of a captured stderr (other lines, e.g. a human error summary, are left out). */
export function jsonLines(stderr: string): Record<string, unknown>[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
