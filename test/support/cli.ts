/** Runs the real `chronicle` command: as a child process (what users run) or in-process (fast). */
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/chronicle.js', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (when the command was run with --json). */
  json: Record<string, unknown>;
}

function parse(stdout: string): Record<string, unknown> {
  try {
    return JSON.parse(stdout) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/**
 * Spawns `node bin/chronicle.js …` (needs `npm run build`, which `npm test` does first). `killAfterMs`: a run
 * that hangs is killed (SIGKILL) then (code 128).
 */
export function spawnCli(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; killAfterMs?: number } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, CHRONICLE_LOG_LEVEL: 'silent', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.killAfterMs ? { timeout: options.killAfterMs, killSignal: 'SIGKILL' as const } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr, json: parse(stdout) });
    });
  });
}

/** The environment of a CLI run that must use the embedded database its `--data-dir` names. */
export const EMBEDDED_ONLY: NodeJS.ProcessEnv = { DATABASE_URL: '', CHRONICLE_DATABASE_URL: '' };

/**
 * Runs the CLI's `main` in this process with captured output (same code path, no process start-up). `env` is
 * set for the run and restored after it (a test file's runs are sequential): without it, a `DATABASE_URL` in
 * the suite's environment would win over `--data-dir`, as it does for users.
 */
export async function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  try {
    return await runMain(args);
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

async function runMain(args: readonly string[]): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => {
    out += d;
  });
  stderr.on('data', (d) => {
    err += d;
  });
  const code = await main(['node', 'chronicle', '--log-level', 'silent', ...args], { stdout, stderr });
  return { code, stdout: out, stderr: err, json: parse(out) };
}
