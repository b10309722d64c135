/**
 * Python `json.dumps(..., ensure_ascii=False)` string quoting: only `"`, `\` and C0 controls are escaped
 * (`\n \r \t \b \f` short, the rest as `\u00XX` in lowercase hex). DEL, U+2028/U+2029 and all other
 * non-ASCII characters are written raw.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: C0 controls are exactly what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: C0 controls are exactly what JSON escapes
const ESCAPABLE = /["\\\u0000-\u001f]/g;

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

function escapeChar(ch: string): string {
  return SHORT_ESCAPES[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

export function quoteJsonString(s: string): string {
  return NEEDS_ESCAPE.test(s) ? `"${s.replace(ESCAPABLE, escapeChar)}"` : `"${s}"`;
}
