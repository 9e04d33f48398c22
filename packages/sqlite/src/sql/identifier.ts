const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Quotes an identifier that comes from a model definition or a validated table prefix.
 * User text never reaches here; the check is a tripwire should that ever change.
 */
export function quoteIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new TypeError(`refusing to use ${JSON.stringify(name)} as an SQL identifier`);
  return `"${name}"`;
}
