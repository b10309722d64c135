/** The stable codes an import's failures get when they are not Chronicle's own errors. */
import { describe, expect, it } from 'vitest';
import { classifyFailure } from '../../../src/importer/failure-codes.js';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

const systemError = (message: string, code: string, syscall: string) =>
  Object.assign(new Error(message), { code, syscall, errno: -1 });

describe('classifyFailure', () => {
  it('maps SQLSTATEs to their codes, and keeps the SQLSTATE', () => {
    expect(classifyFailure(withCode('canceling statement due to lock timeout', '55P03'))).toEqual({
      code: 'db.lock_timeout',
      message: 'canceling statement due to lock timeout',
      facts: { sqlstate: '55P03' },
    });
    expect(classifyFailure(withCode('append-only', 'CH001')).code).toBe('db.append_only');
    expect(classifyFailure(withCode('syntax error', '42601')).code).toBe('db.error');
  });

  it('calls a lost connection one, from the socket error or the words of pg and PGlite', () => {
    for (const error of [
      withCode('read ECONNRESET', 'ECONNRESET'),
      withCode('write EPIPE', 'EPIPE'),
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      new Error('Connection terminated unexpectedly'),
      new Error('Client was closed and is not queryable'),
      new Error('PGlite is closed'),
    ]) {
      expect(classifyFailure(error).code).toBe('db.connection_lost');
    }
    // A socket's own words are said plainly.
    expect(classifyFailure(withCode('write EPIPE', 'EPIPE')).message).toBe(
      'the database connection was lost (write EPIPE)',
    );
  });

  it('takes no other error for a lost connection: a bug is internal.error', () => {
    for (const error of [
      new TypeError("Cannot read properties of undefined (reading 'closed')"),
      new Error('Worker terminated due to reaching memory limit: JS heap out of memory'),
      'the stream was closed',
    ]) {
      expect(classifyFailure(error).code).toBe('internal.error');
    }
  });

  it("calls the file system's refusal io.error with its errno and call, even when the errno looks like a SQLSTATE", () => {
    expect(
      classifyFailure(systemError("EPERM: operation not permitted, mkdir '/sys/x'", 'EPERM', 'mkdir')),
    ).toEqual({
      code: 'io.error',
      message: "EPERM: operation not permitted, mkdir '/sys/x'",
      facts: { errno: 'EPERM', syscall: 'mkdir' },
    });
    for (const [code, syscall] of [
      ['EROFS', 'open'],
      ['EACCES', 'open'],
      ['ENOSPC', 'write'],
    ] as const) {
      expect(classifyFailure(systemError(`${code}: …`, code, syscall)).code).toBe('io.error');
    }
    // The file by its base name: messages never hold an absolute path.
    const refused = Object.assign(
      systemError("EACCES: permission denied, rename '/srv/a/x.tmp' -> '/srv/b/x.json'", 'EACCES', 'rename'),
      { path: '/srv/a/x.tmp', dest: '/srv/b/x.json' },
    );
    expect(classifyFailure(refused)).toEqual({
      code: 'io.error',
      message: "EACCES: permission denied, rename 'x.tmp' -> 'x.json'",
      facts: { errno: 'EACCES', syscall: 'rename', file: 'x.tmp' },
    });
    // The socket of a lost connection is a system error too, and stays db.connection_lost.
    expect(classifyFailure(systemError('read ECONNRESET', 'ECONNRESET', 'read')).code).toBe(
      'db.connection_lost',
    );
  });
});
