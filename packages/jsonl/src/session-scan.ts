import { join } from 'node:path';
import { encodeName } from './encode-name.js';
import { listDir } from './fs-utils.js';
import type { KeyHints } from './key-hints.js';
import { SESSION_SUFFIX, type Layout, type SessionPaths } from './layout.js';
import type { StoredSession } from './records.js';
import type { SessionFiles } from './session-files.js';

export interface ScannedSession {
  readonly paths: SessionPaths;
  readonly stored: StoredSession;
}

/** Reads between yields to the event loop, so a scan of thousands of sessions never stalls other work for long. */
const BATCH = 256;

/**
 * Reads every session file the hints allow: one user's folder for `list()`, one file when
 * the session id is known too, every folder otherwise. O(sessions read).
 */
export async function scanSessions(layout: Layout, files: SessionFiles, hints: KeyHints): Promise<ScannedSession[]> {
  const userNames = hints.userIds ? [...hints.userIds].map(encodeName) : await listDir(layout.usersDir);
  const found: ScannedSession[] = [];
  let sinceYield = 0;
  for (const userName of userNames) {
    const userDir = join(layout.usersDir, userName);
    const names = hints.sessionIds
      ? [...hints.sessionIds].map(encodeName)
      : (await listDir(userDir)).filter((name) => name.endsWith(SESSION_SUFFIX)).map((name) => name.slice(0, -SESSION_SUFFIX.length));
    for (const name of names) {
      const paths = layout.sessionIn(userDir, name);
      const stored = files.readSync(paths, userName);
      if (stored) found.push({ paths, stored });
      if (++sinceYield >= BATCH) {
        sinceYield = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  }
  return found;
}
