import { describe, expect, it } from 'vitest';
import { pythonRegExp, translatePythonPattern } from '../../../src/package/python-regexp.js';

const matches = (pattern: string, text: string): boolean => pythonRegExp(pattern, 'u').test(text);

describe('pythonRegExp: JSON-Schema patterns with Python re.search semantics', () => {
  it('lets $ match before one final newline, not before other text', () => {
    expect(matches('^[a-z]+$', 'abc\n')).toBe(true);
    expect(matches('^[a-z]+$', 'abc\n\n')).toBe(false);
    expect(matches('^[a-z]+$', 'abc\nd')).toBe(false);
  });

  it('lets \\d match any Unicode decimal digit', () => {
    expect(matches('^v\\d+\\.\\d+$', 'v\u0661.\u0662')).toBe(true);
    expect(matches('^v\\d+$', 'v\u00b2')).toBe(false);
  });

  it('lets . match everything but \\n (including \\r and U+2028)', () => {
    expect(matches('^[^/].*$', 'a\rb\u2028c')).toBe(true);
    expect(matches('^[^/].*$', 'a\nb')).toBe(false);
  });

  it('leaves character classes and escaped characters alone', () => {
    expect(translatePythonPattern('^[$.]\\.\\$$')).toBe('^[$.]\\.\\$(?=\\n?$)');
    expect(matches('^[$.]x$', '$x')).toBe(true);
    expect(matches('^[$.]x$', 'ax')).toBe(false);
  });
});
