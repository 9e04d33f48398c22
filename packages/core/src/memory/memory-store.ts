import type { SessionKey } from '../errors.js';
import type { Message } from '../models/message-model.js';
import type { Session } from '../models/session-model.js';

export interface StoredLease {
  owner: string;
  token: number;
  /** Epoch ms, or null once released. */
  expiresAt: number | null;
}

export interface StoredSession {
  session: Session;
  /** Ascending by seq. */
  messages: Message[];
  messageIds: Set<string>;
}

/** The state of a `MemoryEngine`. Exposed to subclasses so tests can build deliberately broken variants. */
export interface MemoryStore {
  readonly sessions: Map<string, StoredSession>;
  readonly leases: Map<string, StoredLease>;
  /** What `setup()` recorded: null until an engine on this store has been set up. */
  schemaVersion: number | null;
}

/** The version `MemoryEngine.setup()` records; it has one schema, so far. */
export const MEMORY_SCHEMA_VERSION = 1;

/** An empty store that several `MemoryEngine`s can share. */
export function createMemoryStore(): MemoryStore {
  return { sessions: new Map(), leases: new Map(), schemaVersion: null };
}

/** NUL cannot occur in ids, so it separates the two parts unambiguously. */
export function storeKey(key: SessionKey): string {
  return `${key.userId}\u0000${key.sessionId}`;
}
