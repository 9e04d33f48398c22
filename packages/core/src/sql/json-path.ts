const SEGMENT = /^[A-Za-z0-9_-]+$/;

/**
 * A SQL/JSON path with every member name quoted, `$."plan"."tier"`, as SQLite and MySQL read
 * it. Quoting makes `"0"` an object key, never an array index, which is what core's reference
 * (plain objects only) does. Core resolves segments to `[A-Za-z0-9_-]+`; the check is a
 * tripwire should that ever change.
 */
export function quotedJsonPath(segments: readonly string[]): string {
  let path = '$';
  for (const segment of segments) {
    if (!SEGMENT.test(segment)) throw new TypeError(`unexpected JSON path segment ${JSON.stringify(segment)}`);
    path += `."${segment}"`;
  }
  return path;
}
