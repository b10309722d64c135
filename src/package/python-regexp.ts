/**
 * The reference validates JSON-Schema `pattern`s with Python's `re.search` on `str`. Three things differ from a
 * JavaScript RegExp and change results for our schemas' patterns:
 * - `$` also matches just before a final `\n` (`"a.b\n"` matches `^a\.b$`);
 * - `\d` matches every Unicode decimal digit (category Nd), not only 0-9;
 * - `.` matches everything except `\n` (JavaScript's also refuses `\r`, U+2028 and U+2029).
 * `pythonRegExp` rewrites a pattern so that a JavaScript RegExp (with the `u` flag) behaves like Python's.
 * Only the constructs above are translated; the schemas use nothing else that differs.
 */

export function translatePythonPattern(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i += 1) {
    const ch = pattern[i] as string;
    if (ch === '\\') {
      const next = pattern[i + 1] ?? '';
      i += 1;
      out += next === 'd' ? '\\p{Nd}' : `\\${next}`;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      out += ch;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      out += ch;
      // A `]` right after `[` or `[^` is a literal in Python.
      if (pattern[i + 1] === '^') {
        out += '^';
        i += 1;
      }
      if (pattern[i + 1] === ']') {
        out += '\\]';
        i += 1;
      }
      continue;
    }
    if (ch === '$') out += '(?=\\n?$)';
    else if (ch === '.') out += '[^\\n]';
    else out += ch;
  }
  return out;
}

/** An ajv `code.regExp` engine: compiles JSON-Schema patterns with Python semantics. */
export function pythonRegExp(pattern: string, flags: string): RegExp {
  return new RegExp(translatePythonPattern(pattern), flags.includes('u') ? flags : `${flags}u`);
}
pythonRegExp.code = 'pythonRegExp';
