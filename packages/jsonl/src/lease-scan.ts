import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type SessionKey } from '@sessions/core';
import { compareCodePoints, type LeaseInfo, type ListLeasesQuery } from '@sessions/core/engine';
import { decodeName, encodeName } from './encode-name.js';
import { CorruptFileError } from './errors.js';
import { isNotFound, listDir } from './fs-utils.js';
import { LEASE_SUFFIX, type Layout } from './layout.js';
import { decodeLeaseRecord, RecordShapeError, type StoredLease } from './records.js';

type LeaseRecord = SessionKey & StoredLease;

/** Reads between yields to the event loop, as in a session scan. */
const BATCH = 256;

/**
 * Lists lease files in `(userId, sessionId)` code-point order: one user's folder when the
 * query names the user, every folder otherwise. Takes no lock: a lease file is only ever
 * replaced whole (temporary file and rename), so each read sees one complete version.
 *
 * File names do not keep the ids' order, so the listing reads every lease file it may
 * return and sorts them; a file whose name decodes to a key at or before `after` is skipped
 * unread, so each page reads only what is left. `held` is judged by `clock`, the store's.
 */
export async function listLeases(layout: Layout, query: ListLeasesQuery & { limit: number }, clock: () => number): Promise<LeaseInfo[]> {
  const { after } = query;
  const userNames = query.userId !== undefined ? [encodeName(query.userId)] : await listDir(layout.usersDir);
  const found: LeaseRecord[] = [];
  let sinceYield = 0;
  for (const userName of userNames) {
    const userId = idOf(userName);
    if (after && userId !== null && compareCodePoints(userId, after.userId) < 0) continue;
    const userDir = join(layout.usersDir, userName);
    for (const file of await listDir(userDir)) {
      if (!file.endsWith(LEASE_SUFFIX)) continue;
      const name = file.slice(0, -LEASE_SUFFIX.length);
      const sessionId = idOf(name);
      if (after && userId !== null && sessionId !== null && compareKeys({ userId, sessionId }, after) <= 0) continue;
      const lease = readLease(join(userDir, file), userName, name);
      if (lease) found.push(lease);
      if (++sinceYield >= BATCH) {
        sinceYield = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  }
  const now = clock();
  return found
    .map((lease): LeaseInfo => ({
      ...lease,
      expiresAt: lease.expiresAt === null ? null : new Date(lease.expiresAt),
      held: lease.expiresAt !== null && lease.expiresAt > now,
    }))
    .filter((lease) => (query.held === undefined || lease.held === query.held) && (!after || compareKeys(lease, after) > 0))
    .sort(compareKeys)
    .slice(0, query.limit);
}

/** A lease file, checked to hold the key its folder and name say; null if it is gone. */
function readLease(file: string, userName: string, name: string): LeaseRecord | null {
  let text: string;
  try {
    // Synchronous, as in a session scan: for many small files it costs a fraction of an asynchronous read.
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
  let lease: LeaseRecord;
  try {
    lease = decodeLeaseRecord(text);
  } catch (error) {
    if (!(error instanceof RecordShapeError)) throw error;
    throw new CorruptFileError(file, error.message, { cause: error });
  }
  if (encodeName(lease.userId) !== userName || encodeName(lease.sessionId) !== name) {
    const where = `session ${JSON.stringify(lease.sessionId)} of user ${JSON.stringify(lease.userId)}`;
    throw new CorruptFileError(file, `holds the lease of ${where}, which belongs in another file: was it moved or copied by hand?`);
  }
  return lease;
}

/** The id a file or folder name encodes; null for a hashed name or a name the engine did not make. */
function idOf(name: string): string | null {
  try {
    return decodeName(name);
  } catch {
    return null;
  }
}

function compareKeys(a: SessionKey, b: SessionKey): number {
  return compareCodePoints(a.userId, b.userId) || compareCodePoints(a.sessionId, b.sessionId);
}
