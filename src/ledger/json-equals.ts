/**
 * Equality of two parsed JSON documents as PostgreSQL's jsonb sees it: objects by their keys (order does
 * not matter), arrays element by element, strings exactly, numbers by numeric value (`1.0` equals `1`,
 * `1e2` equals `100`). Used to compare a projection's jsonb payload with its event's canonical bytes
 * identically whether the rows come from the database or from a bundle.
 */
import { isJsonObject, JsonNumber, type JsonValue } from '../canonical/index.js';

export function jsonEquals(a: JsonValue, b: JsonValue): boolean {
  if (a instanceof JsonNumber || b instanceof JsonNumber) {
    return a instanceof JsonNumber && b instanceof JsonNumber && sameNumber(a.text, b.text);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEquals(item, b[i] as JsonValue));
  }
  if (isJsonObject(a) || isJsonObject(b)) {
    if (!isJsonObject(a) || !isJsonObject(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => Object.hasOwn(b, key) && jsonEquals(a[key] as JsonValue, b[key] as JsonValue));
  }
  return a === b;
}

/** A decimal number as sign, significant digits (no leading or trailing zeros) and exponent. */
interface Decimal {
  negative: boolean;
  digits: string;
  exponent: number;
}

const NUMBER = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

function normalise(numberText: string): Decimal | null {
  const match = NUMBER.exec(numberText);
  if (!match) return null;
  const whole = match[2] ?? '';
  const fraction = match[3] ?? '';
  let digits = whole + fraction;
  let exponent = Number(match[4] ?? '0') - fraction.length;
  const leading = digits.length - digits.replace(/^0+/, '').length;
  digits = digits.slice(leading);
  const trailing = digits.length - digits.replace(/0+$/, '').length;
  digits = digits.slice(0, digits.length - trailing);
  exponent += trailing;
  if (digits === '') return { negative: false, digits: '0', exponent: 0 };
  return { negative: match[1] === '-', digits, exponent };
}

function sameNumber(a: string, b: string): boolean {
  if (a === b) return true;
  const x = normalise(a);
  const y = normalise(b);
  if (!x || !y) return false;
  return x.negative === y.negative && x.digits === y.digits && x.exponent === y.exponent;
}
