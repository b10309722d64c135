/**
 * Front matter in its everyday shape, read without the YAML parser: one `key: value` per line, or `key:` followed
 * by `- item` lines, every value a string, ASCII only. That is what nearly every lore file holds, and building a
 * YAML document for each one was a third of planning the lore phase. Anything else (a number, a boolean word, an
 * escape, a comment, a nested or flow collection, a repeated key, a blank line…) is left to `loadYaml`'s parser:
 * `readSimpleYaml` answers `undefined` for it. Where it does answer, its value is the one PyYAML gives (tested
 * against the parser).
 */

/** Words PyYAML's resolver turns into booleans or null when they are unquoted. */
const TYPED_WORDS = new Set([
  ...['yes', 'no', 'true', 'false', 'on', 'off', 'null'].flatMap((word) => [
    word,
    word[0]?.toUpperCase() + word.slice(1),
    word.toUpperCase(),
  ]),
]);

/** Printable ASCII and newlines only: no tab, no control character, nothing for the reader to refuse. */
const PLAIN_ASCII = /^[\x20-\x7e\n]*$/;
const KEY = /^([A-Za-z][A-Za-z0-9_]*):(?: +(.*))?$/;
const ITEM = /^( *)- (.*)$/;
/**
 * An unquoted string: starts with a letter (never a number, date or indicator), then letters, digits, spaces and
 * `_ . - : / '`, no `: ` (a mapping inside) and no `:` or space at the end.
 */
const PLAIN_STRING = /^[A-Za-z](?:[A-Za-z0-9 _.\-:/']*[A-Za-z0-9_.\-/'])?$/;
const DOUBLE_QUOTED = /^"([^"\\]*)"$/;
const SINGLE_QUOTED = /^'([^']*)'$/;

/** The front matter's value when it has the everyday shape, else `undefined` (the parser decides). */
export function readSimpleYaml(source: string): Record<string, string | string[]> | undefined {
  if (!PLAIN_ASCII.test(source)) return undefined;
  const lines = source.split('\n');
  const value: Record<string, string | string[]> = {};
  for (let at = 0; at < lines.length; ) {
    const pair = KEY.exec(lines[at] as string);
    if (!pair) return undefined;
    const key = pair[1] as string;
    if (TYPED_WORDS.has(key) || Object.hasOwn(value, key)) return undefined;
    at += 1;
    if (pair[2] !== undefined) {
      const text = stringValue(pair[2]);
      if (text === undefined) return undefined;
      value[key] = text;
      continue;
    }
    const items: string[] = [];
    let indent: string | undefined;
    for (let item = ITEM.exec(lines[at] ?? ''); item; item = ITEM.exec(lines[at] ?? '')) {
      indent ??= item[1];
      const text = item[1] === indent ? stringValue(item[2] as string) : undefined;
      if (text === undefined) return undefined;
      items.push(text);
      at += 1;
    }
    if (items.length === 0) return undefined;
    value[key] = items;
  }
  return value;
}

function stringValue(text: string): string | undefined {
  if (PLAIN_STRING.test(text)) return TYPED_WORDS.has(text) || text.includes(': ') ? undefined : text;
  return DOUBLE_QUOTED.exec(text)?.[1] ?? SINGLE_QUOTED.exec(text)?.[1];
}
