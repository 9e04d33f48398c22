import { afterEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A new empty folder under the system's temp folder. */
export function tempDir(prefix = 'sessions-jsonl-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface TestScope {
  /** A new empty folder, removed after the test. */
  freshDir(): string;
  /** Closes `engine` after the test; returns it. */
  track<E extends AsyncDisposable & { close(): Promise<void> }>(engine: E): E;
}

/**
 * Registers an `afterEach` (call it inside a `describe`) that closes the engines a test opened,
 * then removes the folders it used, so no test sees another's files.
 */
export function testScope(): TestScope {
  const engines: Array<{ close(): Promise<void> }> = [];
  const dirs: string[] = [];
  afterEach(async () => {
    // Folders go even when an engine fails to close; that failure is still reported.
    const closed = await Promise.allSettled(engines.splice(0).map((engine) => engine.close()));
    for (const dir of dirs.splice(0)) removeDir(dir);
    for (const result of closed) if (result.status === 'rejected') throw result.reason;
  });
  return {
    freshDir() {
      const dir = tempDir();
      dirs.push(dir);
      return dir;
    },
    track(engine) {
      engines.push(engine);
      return engine;
    },
  };
}
