import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RawMessage, RawReader, RawSession } from '@sessions/conformance';
import type { SessionKey } from '@sessions/core';
import { encodeName } from '../src/index.js';

/** The files of one session, by the documented layout. */
export function sessionFiles(dir: string, key: SessionKey) {
  const base = join(dir, 'users', encodeName(key.userId), encodeName(key.sessionId));
  return { session: `${base}.session.json`, messages: `${base}.messages.jsonl`, lease: `${base}.lease.json`, lock: `${base}.lock` };
}

async function readText(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Reads the store's files with plain `JSON.parse`, as a person with `cat` and `jq` would,
 * applying only the documented rule for which lines are committed. Without a session file,
 * every line of a leftover messages file counts, so a leak shows up.
 */
export function rawReader(dir: string): RawReader {
  return {
    async session(key): Promise<RawSession | null> {
      const text = await readText(sessionFiles(dir, key).session);
      if (text === null) return null;
      const { session } = JSON.parse(text) as { session: RawSession };
      return session;
    },
    async messages(key): Promise<RawMessage[]> {
      const files = sessionFiles(dir, key);
      const sessionText = await readText(files.session);
      const text = (await readText(files.messages)) ?? '';
      const lines = text.split('\n');
      lines.pop(); // the empty string after the last newline, or a torn line
      const messages = lines.map((line) => JSON.parse(line) as RawMessage);
      if (sessionText === null) return messages;
      const { session, log } = JSON.parse(sessionText) as { session: { lastSeq: number; messageCount: number }; log: { clearedThroughSeq: number } };
      return messages.filter((message) => message.seq > log.clearedThroughSeq && message.seq <= session.lastSeq).slice(0, session.messageCount);
    },
  };
}
