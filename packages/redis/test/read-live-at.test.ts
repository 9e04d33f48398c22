import { describe, it } from 'vitest';
import { SessionManager, type SessionKey } from '@sessions/core';
import { type MessageRange } from '@sessions/core/engine';
import { KeySpace, type RedisEngine } from '../src/index.js';
import { monitorDuring, type MonitoredCommand } from './support/monitor.js';
import { redisFileScope } from './support/file-scope.js';
import { randomPrefix, REDIS_URL, testEngine } from './support/redis.js';

const { prefixes, engines } = redisFileScope();

async function freshEngine(): Promise<{ engine: RedisEngine; keys: KeySpace; prefix: string }> {
  const prefix = randomPrefix('read-live-at');
  prefixes.push(prefix);
  const engine = testEngine(prefix);
  engines.push(engine);
  await engine.setup();
  return { engine, keys: new KeySpace(prefix), prefix };
}

/** Who sent a command, its name, and its first key (EVAL and EVALSHA: after the script and the key count). */
function summary(command: MonitoredCommand): { source: 'client' | 'lua'; name: string; key: string | undefined } {
  const name = command.args[0]!.toLowerCase();
  return { source: command.source === 'lua' ? 'lua' : 'client', name, key: command.args[name.startsWith('eval') ? 3 : 1] };
}

const contents = (messages: ReadonlyArray<{ content: unknown }>) => messages.map((message) => message.content);

describe('readMessages with liveAt on Redis', () => {
  it("judges expiry on the caller's liveAt, never on Redis's clock", async ({ expect }) => {
    const { engine } = await freshEngine();
    // Expired an hour ago by Redis's clock; the grace keeps its keys, and this caller's clock lags.
    const expiresAt = Date.now() - 3_600_000;
    const manager = new SessionManager({ engine, clock: () => expiresAt - 60_000 });
    const key = { userId: 'u', sessionId: 'lagging-clock' };
    await manager.create({
      ...key,
      ttlMs: 60_000,
      messages: [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: 'b' },
      ],
    });

    expect(contents(await manager.messages(key))).toEqual(['a', 'b']);
    expect(contents(await engine.readMessages(key, { liveAt: new Date(expiresAt - 1) }))).toEqual(['a', 'b']);
    expect(await engine.readMessages(key, { liveAt: new Date(expiresAt) })).toEqual([]);
    expect(await engine.readMessages(key, { last: 1, liveAt: new Date(Date.now()) })).toEqual([]);
    // Reading judged nothing away: the messages are still there for tools that read without liveAt.
    expect(contents(await engine.readMessages(key))).toEqual(['a', 'b']);
  });

  it('reads a session without an expiresAt at any liveAt, and nothing of a session that does not exist', async ({ expect }) => {
    const { engine } = await freshEngine();
    const manager = new SessionManager({ engine });
    const key = { userId: 'u', sessionId: 'forever' };
    await manager.create({ ...key, messages: [{ role: 'user', content: 'kept' }] });
    expect(contents(await engine.readMessages(key, { liveAt: new Date('9999-12-31T23:59:59.999Z') }))).toEqual(['kept']);
    expect(await engine.readMessages({ userId: 'u', sessionId: 'never-created' }, { liveAt: new Date() })).toEqual([]);
  });

  it('returns exactly the range a read without liveAt returns while the session is live', async ({ expect }) => {
    const { engine } = await freshEngine();
    const manager = new SessionManager({ engine });
    const key: SessionKey = { userId: 'u', sessionId: 'long' };
    await manager.create({ ...key, ttlMs: 3_600_000 });
    for (let done = 0; done < 2_500; done += 500) {
      await manager.append(
        key,
        Array.from({ length: 500 }, (_, i) => ({ role: 'user' as const, content: `m${done + i + 1}` })),
      );
    }
    const liveAt = new Date();
    const ranges: MessageRange[] = [
      {},
      { last: 50 },
      { last: 5_000 },
      { afterSeq: 2_490 },
      { beforeSeq: 3 },
      { afterSeq: 10, beforeSeq: 20 },
      { afterSeq: 100, limit: 7 },
      { afterSeq: 5, beforeSeq: 40, last: 3 },
      { limit: 0 },
    ];
    for (const range of ranges) {
      const plain = await engine.readMessages(key, range);
      expect(await engine.readMessages(key, { ...range, liveAt }), JSON.stringify(range)).toEqual(plain);
    }
    expect((await engine.readMessages(key, { afterSeq: 5, beforeSeq: 40, last: 3, liveAt })).map((message) => message.seq)).toEqual([37, 38, 39]);
    expect(await engine.readMessages(key, { liveAt })).toHaveLength(2_500);
  });

  it('checks expiry and reads in one script, touching only the session hash and its messages; a read without liveAt stays a plain ZRANGE', async ({
    expect,
  }) => {
    const { engine, keys, prefix } = await freshEngine();
    let now = Date.now();
    const manager = new SessionManager({ engine, clock: () => now });
    const key = { userId: 'u', sessionId: 'watched' };
    await manager.create({
      ...key,
      ttlMs: 1_000,
      messages: [
        { role: 'user', content: 'one' },
        { role: 'user', content: 'two' },
      ],
    });
    const session = keys.session(key);
    const mine = (commands: MonitoredCommand[]) => commands.filter((command) => command.args.some((arg) => arg.startsWith(prefix))).map(summary);

    const live = await monitorDuring(REDIS_URL, async () => void expect(contents(await manager.messages(key, { last: 1 }))).toEqual(['two']));
    const [script, ...inside] = mine(live);
    expect(['evalsha', 'eval']).toContain(script!.name);
    expect(script!.source).toBe('client');
    expect(inside).toEqual([
      { source: 'lua', name: 'hget', key: session.session },
      { source: 'lua', name: 'zrange', key: session.messages },
    ]);

    now += 1_000;
    const expired = await monitorDuring(REDIS_URL, async () => void expect(await manager.messages(key)).toEqual([]));
    // Once expired, the messages are not even read.
    expect(mine(expired).slice(1)).toEqual([{ source: 'lua', name: 'hget', key: session.session }]);

    const plain = await monitorDuring(REDIS_URL, async () => void expect(contents(await engine.readMessages(key))).toEqual(['one', 'two']));
    expect(mine(plain)).toEqual([{ source: 'client', name: 'zrange', key: session.messages }]);
  });
});
