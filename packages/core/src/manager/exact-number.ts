const SMALL_INTEGER = /^-?\d+$/;
// A JSON number literal: sign, integer part, fraction, exponent.
const LITERAL = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * Whether a JSON number literal parses to a double that holds exactly the value written:
 * `0.1`, `1.0`, `1e2` and `-0` do (the double prints back as the same decimal value), while
 * `9007199254740993` (rounded to ...992), `1e400` (Infinity), `1e-400` (0) and digits beyond
 * a double's precision do not. Text that is not a number literal returns true: JSON.parse
 * reports it better.
 */
export function isExactNumberLiteral(literal: string): boolean {
  // What JSON.stringify writes, and small integers, need no closer look.
  if (literal.length <= 15 && SMALL_INTEGER.test(literal)) return true;
  const value = Number(literal);
  if (String(value) === literal) return true;
  const written = decimalOf(literal);
  if (!written) return true;
  if (!Number.isFinite(value)) return false;
  // Zero has one value whatever its sign or form: JSON text has no negative zero to keep.
  const parsed = decimalOf(value === 0 ? '0' : String(value))!;
  return written.digits === parsed.digits && written.exponent === parsed.exponent && (written.digits === '' || written.negative === parsed.negative);
}

/** The literal as significant digits times a power of ten, so `1.50`, `15e-1` and `1.5` compare equal. */
function decimalOf(text: string): { negative: boolean; digits: string; exponent: number } | undefined {
  const match = LITERAL.exec(text);
  if (!match) return undefined;
  const fraction = match[3] ?? '';
  let digits = (match[2]! + fraction).replace(/^0+/, '');
  let exponent = Number(match[4] ?? 0) - fraction.length;
  const trimmed = digits.replace(/0+$/, '');
  exponent += digits.length - trimmed.length;
  digits = trimmed;
  return { negative: match[1] === '-', digits, exponent: digits === '' ? 0 : exponent };
}
