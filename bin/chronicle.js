#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm install` (the prepare script) or `npm run build`.
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(
    'chronicle: not built yet; run `npm install` or `npm run build` in the chronicle folder\n',
  );
  process.exit(3);
}
// While a command runs, a signal that the command does not listen for ends the process as Node's default would
// (an import, export or verification listens, and stops cleanly at the first); once the command has decided its
// exit code (its outcome is printed), a signal changes neither.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (process.exitCode !== undefined || process.listenerCount(signal) > 1) return;
    process.exit(128 + constants.signals[signal]);
  });
}
const { main } = await import(entry.href);
const code = await main(process.argv);
// Ended as soon as the output is written: nothing left running (an embedded engine that failed to start keeps
// handles open) may keep the process alive, and a signal has no slow teardown to fall into.
await Promise.all(
  [process.stdout, process.stderr].map((stream) => new Promise((done) => stream.write('', done))),
);
process.exit(code);
