import type { Engine, EngineCapabilities, SessionKey } from '@sessions/core';

/** A session row as the backend really stores it, read without going through the engine. */
export interface RawSession {
  userId: string;
  sessionId: string;
  title: string | null;
  metadata: unknown;
  state: unknown;
  messageCount: number;
  lastSeq: number;
}

/** A message row as the backend really stores it, read without going through the engine. */
export interface RawMessage {
  seq: number;
  id: string;
  role: string;
  content: unknown;
}

/**
 * Direct reads of the backend (SQL, files, Redis commands), so the suite checks what was
 * really stored and not only what the engine under test says it stored.
 */
export interface RawReader {
  session(key: SessionKey): Promise<RawSession | null>;
  /** Ascending by seq. */
  messages(key: SessionKey): Promise<RawMessage[]>;
}

/**
 * How the suite gets engines for one adapter.
 *
 * @example
 * runConformance({
 *   name: 'sqlite',
 *   create: () => new SqliteEngine({ path: tempFile() }),
 *   destroy: (engine) => rm(engine.path),
 * })
 */
export interface ConformanceInitializer {
  name: string;
  /** A fresh engine on an isolated store (own file, schema, database or key prefix), not yet set up. */
  create(): Engine | Promise<Engine>;
  /** Removes what `create` made. Called after the suite has closed the engine. */
  destroy?(engine: Engine): void | Promise<void>;
  /** A second engine on the same store as `engine` (another process would see the same), not yet set up. */
  reopen?(engine: Engine): Engine | Promise<Engine>;
  /** Direct reads of the store behind `engine`. */
  raw?(engine: Engine): RawReader;
  /** Narrows the engine's declared capabilities for this run. */
  capabilities?: Partial<EngineCapabilities>;
}
