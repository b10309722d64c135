/** The stable codes an import's failures get when they are not Chronicle's own errors. */
import { describe, expect, it } from 'vitest';
import { classifyDatabaseError } from '../../../src/importer/database-errors.js';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('classifyDatabaseError', () => {
  it('maps SQLSTATEs to their codes, and keeps the SQLSTATE', () => {
    expect(classifyDatabaseError(withCode('canceling statement due to lock timeout', '55P03'))).toEqual({
      code: 'db.lock_timeout',
      message: 'canceling statement due to lock timeout',
      facts: { sqlstate: '55P03' },
    });
    expect(classifyDatabaseError(withCode('append-only', 'CH001')).code).toBe('db.append_only');
    expect(classifyDatabaseError(withCode('syntax error', '42601')).code).toBe('db.error');
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
      expect(classifyDatabaseError(error).code).toBe('db.connection_lost');
    }
    // A socket's own words are said plainly.
    expect(classifyDatabaseError(withCode('write EPIPE', 'EPIPE')).message).toBe(
      'the database connection was lost (write EPIPE)',
    );
  });

  it('takes no other error for a lost connection: a bug is internal.error', () => {
    for (const error of [
      new TypeError("Cannot read properties of undefined (reading 'closed')"),
      new Error('Worker terminated due to reaching memory limit: JS heap out of memory'),
      'the stream was closed',
    ]) {
      expect(classifyDatabaseError(error).code).toBe('internal.error');
    }
  });
});
