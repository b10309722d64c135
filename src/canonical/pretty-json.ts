/**
 * A JSON tree as indented text for people to read and edit (two spaces, one member per line, a final newline):
 * numbers exactly as they were written (`5.0` stays a float for the canonical hash), non-ASCII text as is.
 */
import { JsonNumber, type JsonValue } from './json-value.js';

export function prettyJson(value: JsonValue): string {
  return `${render(value, '')}\n`;
}

function render(value: JsonValue, indent: string): string {
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof JsonNumber) return value.text;
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((item) => inner + render(item, inner)).join(',\n')}\n${indent}]`;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return '{}';
  const members = keys.map(
    (key) => `${inner}${JSON.stringify(key)}: ${render(value[key] as JsonValue, inner)}`,
  );
  return `{\n${members.join(',\n')}\n${indent}}`;
}
