import type { Engine, SessionManager } from '@sessions/core';
import { canonicalJson } from '../../src/migrate/compare.js';
import { messageToJson, sessionToJson } from '../../src/format.js';
import { scanMessages, scanSessions } from '../../src/scan.js';

/**
 * Fills a store with the kinds of sessions a real one holds: several users, unicode (also
 * 4-byte), nested metadata, content parts, tool calls, archived and expiring sessions, a
 * fork, and a cleared session (so seq has a gap before its first message).
 */
export async function seedVariety(manager: SessionManager, options: { users?: number; sessionsPerUser?: number; messages?: number } = {}): Promise<void> {
  const users = options.users ?? 3;
  const perUser = options.sessionsPerUser ?? 3;
  const messages = options.messages ?? 4;
  for (let u = 0; u < users; u++) {
    const userId = u === 0 ? 'ünïcødé-👩‍💻' : `user-${u}`;
    for (let s = 0; s < perUser; s++) {
      const session = await manager.create({
        userId,
        sessionId: `chat_${s}`,
        title: s === 0 ? 'Emoji 🚀 and "quotes" \\ backslash' : s % 2 ? null : `title ${s}`,
        metadata: { channel: s % 2 ? 'web' : 'slack', plan: { tier: s, tags: ['a', 'ß'] }, n: s + 0.5 },
        state: { step: s, nested: { deep: [1, { x: null }] } },
        ...(s === 2 ? { ttlMs: 3_600_000 } : {}),
      });
      for (let m = 0; m < messages; m++) {
        await manager.append(session, [
          m % 3 === 0
            ? { role: 'user', content: `message ${m} 𝄞 ${'x'.repeat(m)}`, metadata: { i: m } }
            : m % 3 === 1
              ? {
                  role: 'assistant',
                  content: [
                    { type: 'text', text: `part ${m}` },
                    { type: 'image', url: 'https://example.com/a.png' },
                  ],
                  agentId: 'agent-1',
                  runId: `run-${m}`,
                }
              : { role: 'tool', content: '{"ok":true}', name: 'lookup', toolCallId: `call-${m}`, toolCalls: [{ id: `call-${m}`, args: { q: 'ä' } }] },
        ]);
      }
      if (s === 1) await manager.setState(session, { patched: true });
    }
  }
  const first = await manager.create({
    userId: 'extras',
    sessionId: 'fork_source',
    messages: [1, 2, 3].map((i) => ({ role: 'user' as const, content: `m${i}` })),
  });
  await manager.fork(first, { sessionId: 'chat_fork', upToSeq: 2 });
  await manager.archive(first);
  const cleared = await manager.create({ userId: 'extras', sessionId: 'chat_cleared' });
  await manager.append(cleared, [
    { role: 'user', content: 'gone' },
    { role: 'user', content: 'gone too' },
  ]);
  await manager.clear(cleared);
  await manager.append(cleared, [{ role: 'user', content: 'after clear' }]);
}

/** Everything a store holds, as canonical JSON text per session, in key order. */
export async function snapshot(engine: Engine, options: { version?: boolean } = {}): Promise<string[]> {
  const result: string[] = [];
  for await (const page of scanSessions(engine, { pageSize: 100 })) {
    for (const session of page) {
      const json = sessionToJson(session) as unknown as Record<string, unknown>;
      if (options.version === false) delete json['version'];
      const messages: unknown[] = [];
      for await (const batch of scanMessages(engine, session, { batchSize: 500 })) messages.push(...batch.map(messageToJson));
      result.push(canonicalJson({ session: json, messages } as never));
    }
  }
  return result;
}
