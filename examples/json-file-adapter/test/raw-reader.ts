import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RawReader } from '@sessions/conformance';

/** Reads `store.json` itself, without the engine's code, so the suite sees what is really on disk. */
export function rawReader(dir: string): RawReader {
  const load = async () => JSON.parse(await readFile(join(dir, 'store.json'), 'utf8')) as {
    sessions: Record<string, { session: Record<string, unknown>; messages: Array<Record<string, unknown>> }>;
  };
  const entry = async (key: { userId: string; sessionId: string }) => (await load()).sessions[JSON.stringify([key.userId, key.sessionId])];
  return {
    async session(key) {
      const stored = await entry(key);
      if (!stored) return null;
      const { userId, sessionId, title, metadata, state, messageCount, lastSeq } = stored.session;
      return { userId, sessionId, title, metadata, state, messageCount, lastSeq } as Awaited<ReturnType<RawReader['session']>> & object;
    },
    async messages(key) {
      const stored = await entry(key);
      return (stored?.messages ?? []).map(({ seq, id, role, content }) => ({ seq: seq as number, id: id as string, role: role as string, content }));
    },
  };
}
