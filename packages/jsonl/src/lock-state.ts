interface ThreadLockState {
  /** Tokens of the locks this thread holds, shared by every engine in it. */
  readonly heldTokens: Set<string>;
  /** Per lock, the tail of this thread's queue, so callers in one thread wait in order instead of polling. */
  readonly queues: Map<string, Promise<void>>;
}

// Kept on globalThis so two copies of this module in one thread (bundles, dual installs) still agree.
const STATE_KEY = Symbol.for('@sessions/jsonl/file-locks');
const state: ThreadLockState = ((globalThis as Record<symbol, ThreadLockState | undefined>)[STATE_KEY] ??= { heldTokens: new Set(), queues: new Map() });

export const { heldTokens, queues } = state;
