/**
 * Python's `repr(float)`: the shortest digits that round-trip (JS finds the same digits), written in
 * scientific notation when the decimal exponent is < -4 or >= 16, otherwise positionally with at least
 * one digit after the point: `2.5`, `5.0`, `1e-05`, `1e+16`, `1000000000000000.0`, `-0.0`, `inf`, `nan`.
 */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Number.POSITIVE_INFINITY) return 'inf';
  if (x === Number.NEGATIVE_INFINITY) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  // toExponential() with no argument gives the shortest round-trip digits: "d.ddde+N".
  const exponential = Math.abs(x).toExponential();
  const eAt = exponential.indexOf('e');
  const digits = exponential.slice(0, eAt).replace('.', '');
  const exponent = Number(exponential.slice(eAt + 1));
  if (exponent < -4 || exponent >= 16) {
    const mantissa = digits.length === 1 ? digits : `${digits[0]}.${digits.slice(1)}`;
    const absExponent = Math.abs(exponent);
    return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${absExponent < 10 ? '0' : ''}${absExponent}`;
  }
  const pointAt = exponent + 1;
  if (pointAt <= 0) return `${sign}0.${'0'.repeat(-pointAt)}${digits}`;
  if (pointAt >= digits.length) return `${sign}${digits}${'0'.repeat(pointAt - digits.length)}.0`;
  return `${sign}${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
}
