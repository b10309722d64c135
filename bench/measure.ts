/**
 * Entry point of a measurement process: the parent passes one task as base64url JSON in argv; this prints
 * `BENCH-RESULT <json>` on stdout (anything else the process prints is not the result).
 */
import { RESULT_PREFIX, runTask, type Task } from './tasks.js';

const encoded = process.argv[2];
if (!encoded) throw new Error('bench measure: missing task');
const task = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as Task;
const result = await runTask(task);
process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
