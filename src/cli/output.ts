/** Exit codes and printing: one JSON object on stdout with --json, a short human summary otherwise. */
export const EXIT = {
  ok: 0,
  rejected: 1,
  usage: 2,
  internal: 3,
  verificationFailed: 4,
} as const;

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export const processIo: Io = { stdout: process.stdout, stderr: process.stderr };

/**
 * A reader that stops reading (`chronicle runs | head -1`) closes the pipe: what is left to print is dropped, and
 * the command still finishes and exits with its own code (an import still commits or rolls back as it would).
 * Unhandled, the write error ended the process with a stack trace and exit 1, the code of a rejected import,
 * even after a commit. Any other write error still ends the process.
 */
export function dropOutputToClosedPipes(streams: readonly NodeJS.WritableStream[]): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
      throw error;
    });
  }
}

export function printJson(io: Io, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLines(io: Io, lines: readonly string[]): void {
  io.stdout.write(`${lines.join('\n')}\n`);
}

export function printError(io: Io, lines: readonly string[]): void {
  io.stderr.write(`${lines.join('\n')}\n`);
}

/** Exit code for an error code: database, file system and internal failures are 3, everything else a rejection (1). */
export function exitCodeFor(code: string): number {
  return code.startsWith('db.') || code.startsWith('io.') || code.startsWith('internal.')
    ? EXIT.internal
    : EXIT.rejected;
}

/** `1 import`, `2 imports`: a number and its noun, in the singular for one. */
export function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Rows of cells as aligned text: each column as wide as its widest cell, two spaces apart. */
export function formatTable(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, column) => {
      widths[column] = Math.max(widths[column] ?? 0, cell.length);
    });
  }
  return rows.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  '),
  );
}

export function formatCounts(counts: Record<string, number> | null): string {
  if (!counts) return '-';
  return Object.entries(counts)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

/** A file system error by its code (its message holds the absolute path), anything else by its message. */
export function describeFailure(error: unknown): string {
  const { code, syscall } = (error ?? {}) as { code?: unknown; syscall?: unknown };
  if (typeof code === 'string' && typeof syscall === 'string') return `${code} (${syscall})`;
  return error instanceof Error ? error.message : String(error);
}
