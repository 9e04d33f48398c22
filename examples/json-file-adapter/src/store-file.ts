import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MessageJson, SessionJson } from './codec.js';

/** The version `setup()` records; this example has had one file format so far. */
export const SCHEMA_VERSION = 1;

export interface LeaseJson {
  owner: string;
  token: number;
  /** Epoch ms, or null once released. */
  expiresAt: number | null;
}

/** Everything in a store: one JSON document, `store.json` in the store's directory. */
export interface StoreDocument {
  schemaVersion: number;
  /** By `sessionKeyOf`; each session with its messages, ascending by seq. */
  sessions: Record<string, { session: SessionJson; messages: MessageJson[] }>;
  /** By `sessionKeyOf`; lease rows outlive their sessions, so tokens never restart. */
  leases: Record<string, LeaseJson>;
}

export const storePath = (dir: string) => join(dir, 'store.json');

/** One string per session key; JSON keeps the two ids apart whatever characters they hold. */
export const sessionKeyOf = (key: { userId: string; sessionId: string }) => JSON.stringify([key.userId, key.sessionId]);

/** The store as last written, or null when it was never set up. Never creates anything. */
export async function readStore(dir: string): Promise<StoreDocument | null> {
  try {
    return JSON.parse(await readFile(storePath(dir), 'utf8')) as StoreDocument;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Replaces the store file whole: written to a temporary file, then renamed over it. A rename is
 * atomic on one file system, so a reader sees the old document or the new one, never a mix, and
 * a crash mid-write leaves the old one in place.
 */
export async function writeStore(dir: string, document: StoreDocument): Promise<void> {
  const temp = join(dir, `.store.${randomUUID()}.tmp`);
  try {
    await writeFile(temp, JSON.stringify(document));
    await rename(temp, storePath(dir));
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

export async function createStoreDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
}
