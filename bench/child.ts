/** Runs one measurement task in a fresh Node process (same flags as this one) and returns its result. */
import { spawn } from 'node:child_process';
import { measureEntry } from './paths.js';
import { RESULT_PREFIX, type Task, type TaskResult } from './tasks.js';

export function inChild(task: Task, options: { heapMb?: number } = {}): Promise<TaskResult> {
  const encoded = Buffer.from(JSON.stringify(task), 'utf8').toString('base64url');
  const heap = options.heapMb ? [`--max-old-space-size=${options.heapMb}`] : [];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, ...heap, measureEntry(), encoded], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      output += text;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const line = output
        .split('\n')
        .reverse()
        .find((candidate) => candidate.startsWith(RESULT_PREFIX));
      if (code !== 0 || !line) {
        reject(new Error(`bench: the ${task.kind} measurement failed (exit ${code ?? signal})`));
        return;
      }
      resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as TaskResult);
    });
  });
}
