import { readdir, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { OWNER_FILE } from './lock-paths.js';
import { heldTokens } from './lock-state.js';
import { isProcessAlive, OWN_PID_NAMESPACE, OWN_START_TIME, processStartTime } from './process-identity.js';

/** Who holds a lock, as its owner record says. */
export interface LockOwner {
  pid: number;
  /** The worker thread within the process (0 for the main thread). */
  thread: number;
  host: string;
  token: string;
  acquiredAt: string;
  /** The process's start time (`/proc/<pid>/stat`), so a recycled pid is told apart; null where unknown. */
  startTime: string | null;
  /** Its pid namespace: a pid is only checked from the same one; null where unknown. */
  pidNamespace: string | null;
}

const HOST = hostname();

/** The owner record of a lock this thread takes now with `token`. */
export function ownRecord(token: string): LockOwner {
  const acquiredAt = new Date().toISOString();
  return { pid: process.pid, thread: threadId, host: HOST, token, acquiredAt, startTime: OWN_START_TIME, pidNamespace: OWN_PID_NAMESPACE };
}

/** Whether the lock's holder is gone for sure, or (where that cannot be checked) held it longer than `staleMs`. */
export async function isAbandoned(owner: LockOwner, staleMs: number): Promise<boolean> {
  const old = Date.now() - Date.parse(owner.acquiredAt) > staleMs;
  // Another host, or another container on this one: its pids cannot be looked up from here.
  if (owner.host !== HOST || (owner.pidNamespace !== null && owner.pidNamespace !== OWN_PID_NAMESPACE)) return old;
  if (owner.pid === process.pid) {
    // Another process that had this pid before us.
    if (owner.startTime !== null && OWN_START_TIME !== null && owner.startTime !== OWN_START_TIME) return true;
    if (owner.thread === threadId) return !heldTokens.has(owner.token);
    // Another thread of this process: whether it still runs cannot be seen from here.
    return old;
  }
  if (!isProcessAlive(owner.pid)) return true;
  const startTime = owner.startTime === null ? null : await processStartTime(owner.pid);
  // The same process, alive: never overtaken, however long it stalls.
  if (startTime !== null) return startTime !== owner.startTime;
  // No /proc here, or a lock of the earlier format: only its age can tell a recycled pid.
  return old;
}

/**
 * The owner record of the lock at `path`: in the one fence folder of a lock folder, or the whole
 * file for a lock of format version 1. Null when the lock folder is empty (just released). An
 * unreadable record is '' (judged by age).
 */
export async function readOwnerRecord(path: string, isFolder: boolean): Promise<string | null> {
  if (!isFolder) return readFile(path, 'utf8');
  const [fence] = await readdir(path);
  if (fence === undefined) return null;
  try {
    return await readFile(join(path, fence, OWNER_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return '';
    throw error;
  }
}

export function parseOwner(raw: string): LockOwner | null {
  try {
    const value = JSON.parse(raw) as Partial<LockOwner> | null;
    if (value && typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.token === 'string' && typeof value.acquiredAt === 'string') {
      return {
        ...value,
        thread: typeof value.thread === 'number' ? value.thread : 0,
        startTime: typeof value.startTime === 'string' ? value.startTime : null,
        pidNamespace: typeof value.pidNamespace === 'string' ? value.pidNamespace : null,
      } as LockOwner;
    }
  } catch {
    // not (yet) a complete owner record
  }
  return null;
}
