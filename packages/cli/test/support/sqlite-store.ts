import { SessionManager } from '@sessions/core';
import { SqliteEngine } from '@sessions/sqlite';
import { snapshot } from './fixtures.js';
import { runBin } from './run-bin.js';

/**
 * Creates a SQLite store at `path` with alice's sessions a, b and c (two messages each:
 * "hi from <id>", "hello") and returns what `sessions export` writes for it.
 */
export async function exportThreeSessions(path: string): Promise<string> {
  {
    await using engine = new SqliteEngine({ path });
    await engine.setup();
    const manager = new SessionManager({ engine });
    for (const sessionId of ['a', 'b', 'c']) {
      await manager.create({
        userId: 'alice',
        sessionId,
        messages: [
          { role: 'user', content: `hi from ${sessionId}` },
          { role: 'assistant', content: 'hello' },
        ],
      });
    }
  }
  const exported = await runBin(['export', `sqlite:${path}`]);
  if (exported.code !== 0) throw new Error(`export failed (${exported.code}): ${exported.stderr}`);
  return exported.stdout;
}

/** Everything the SQLite store at `path` holds, as `snapshot` gives it (without version counters). */
export async function sqliteContents(path: string): Promise<string[]> {
  await using engine = new SqliteEngine({ path });
  await engine.setup();
  return await snapshot(engine, { version: false });
}
