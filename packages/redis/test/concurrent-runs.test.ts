import { describe, it } from 'vitest';
import { SessionManager } from '@sessions/core';
import { redisFileScope } from './support/file-scope.js';
import { randomPrefix, rawReader, testEngine } from './support/redis.js';

const CLIENTS = 8;
const TURNS = 100;

const { client, prefixes, engines } = redisFileScope();
const prefix = randomPrefix('runs');
prefixes.push(prefix);

describe('many clients on one session', () => {
  it(`serialises ${CLIENTS} clients x ${TURNS} run() turns: nothing lost, nothing duplicated, seq gap-free`, async ({ expect }) => {
    // Eight engines, eight connections: as many processes would share the session.
    for (let i = 0; i < CLIENTS; i++) engines.push(testEngine(prefix));
    await Promise.all(engines.map((engine) => engine.setup()));
    const managers = engines.map((engine, i) => new SessionManager({ engine, owner: `client-${i}`, lockTtlMs: 10_000, heartbeatMs: 2_000 }));
    const key = { userId: 'shared-user', sessionId: 'shared-session' };
    await managers[0]!.create(key);

    const tokens: number[] = [];
    await Promise.all(
      managers.map(async (manager, clientIndex) => {
        for (let turn = 0; turn < TURNS; turn++) {
          await manager.run(
            key,
            async ({ history, append, lease }) => {
              tokens.push(lease.token);
              // The turn sees the previous turn's reply as the newest message: nobody else wrote in between.
              const previous = history.at(-1);
              await append({ role: 'user', content: `c${clientIndex} t${turn}`, metadata: { after: previous?.seq ?? 0 } });
              await append({ role: 'assistant', content: `reply c${clientIndex} t${turn}` });
            },
            { waitMs: 120_000, history: { last: 1 } },
          );
        }
      }),
    );

    const messages = await managers[0]!.messages(key);
    expect(messages).toHaveLength(CLIENTS * TURNS * 2);
    expect(messages.map((message) => message.seq)).toEqual(messages.map((_, i) => i + 1));
    const turns = new Set<string>();
    for (let i = 0; i < messages.length; i += 2) {
      const [question, answer] = [messages[i]!, messages[i + 1]!];
      expect(answer.content).toBe(`reply ${question.content as string}`);
      expect(question.metadata['after']).toBe(question.seq - 1);
      turns.add(question.content as string);
    }
    expect(turns.size).toBe(CLIENTS * TURNS);
    expect(await managers[0]!.get(key)).toMatchObject({ messageCount: CLIENTS * TURNS * 2, lastSeq: CLIENTS * TURNS * 2 });
    expect([...tokens].sort((a, b) => a - b)).toEqual(tokens);
    expect(new Set(tokens).size).toBe(CLIENTS * TURNS);
    const stored = await rawReader(client, engines[0]!).messages(key);
    expect(stored.map((message) => message.seq)).toEqual(messages.map((message) => message.seq));
  });
});
