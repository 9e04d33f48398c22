import type { SqlParam } from './driver.js';

/**
 * The condition on a sessions row that it is still live at `liveAt`: the caller's clock, bound as
 * a parameter, never the server's NOW, since session TTLs are set on the manager's clock. Writes
 * (`writeGuard`) and reads (`readMessages`) put it in their own statement, so it is checked
 * atomically with what they do.
 */
export function liveCondition(liveAt: Date): { readonly sql: string; readonly params: readonly SqlParam[] } {
  const params: SqlParam[] = [BigInt(liveAt.getTime())];
  return { sql: '(expires_at IS NULL OR expires_at > ?)', params };
}
