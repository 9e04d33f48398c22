import { and, eq, type Message } from '@sessions/core';
import { testMessage } from '@sessions/core/testing';
import { describe, expect, it } from 'vitest';
import { InterruptedError, migrateSessions, verifyCopy } from '../src/index.js';
import { snapshot, seedVariety } from './support/fixtures.js';
import { memoryStore } from './support/memory-stores.js';
import { cli } from './support/run-cli.js';

describe('sessions migrate', () => {
  it('copies every session with its messages, seq, timestamps, state and version, then verifies the copy', async () => {
    const source = await memoryStore();
    const target = await memoryStore();
    await seedVariety(source.manager);

    const result = await cli(['migrate', source.url, target.url, '--json']);

    expect(result.code).toBe(0);
    expect(await snapshot(target.engine)).toEqual(await snapshot(source.engine));
    const summary = JSON.parse(result.stdout);
    const sessions = await source.engine.count('sessions');
    const messages = await source.engine.count('messages');
    expect(summary.sessions).toMatchObject({ scanned: sessions, copied: sessions, resumed: 0, skipped: 0, conflicts: 0 });
    expect(summary.messages.copied).toBe(messages);
    expect(summary.verification).toMatchObject({ ok: true, sessions, messages, mismatchCount: 0 });
  });

  it('skips sessions that already arrived completely when rerun, and writes nothing twice', async () => {
    const source = await memoryStore();
    const target = await memoryStore();
    await seedVariety(source.manager, { users: 2 });
    expect((await cli(['migrate', source.url, target.url])).code).toBe(0);
    const before = await snapshot(target.engine);

    const rerun = await cli(['migrate', source.url, target.url, '--json']);

    expect(rerun.code).toBe(0);
    const summary = JSON.parse(rerun.stdout);
    expect(summary.sessions.copied).toBe(0);
    expect(summary.sessions.skipped).toBe(summary.sessions.scanned);
    expect(summary.messages.copied).toBe(0);
    expect(await snapshot(target.engine)).toEqual(before);
  });

  it('completes a session that an interrupted run left as a prefix, appending only the missing messages', async () => {
    const source = await memoryStore();
    const target = await memoryStore();
    const key = { userId: 'alice', sessionId: 'long' };
    await source.manager.create({ ...key, title: 'long one' });
    for (let i = 0; i < 12; i++) await source.manager.append(key, { role: 'user', content: `m${i}`, id: `msg-${i}` });
    const session = (await source.engine.getSession(key))!;
    const prefix = await source.engine.readMessages(key, { limit: 5 });
    await target.engine.createSession({ ...session, messageCount: 5, lastSeq: 5 }, prefix);

    const result = await cli(['migrate', source.url, target.url, '--json', '--batch-size', '4']);

    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.sessions).toMatchObject({ resumed: 1, copied: 0 });
    expect(summary.messages.copied).toBe(7);
    expect(await snapshot(target.engine)).toEqual(await snapshot(source.engine));
  });

  it('copies a history longer than one batch batch by batch, keeping every seq and id', async () => {
    const source = await memoryStore();
    const target = await memoryStore();
    const key = { userId: 'bob', sessionId: 'big' };
    await source.manager.create({ ...key });
    await source.manager.append(key, [{ role: 'user', content: 'before clear' }]);
    await source.manager.clear(key);
    for (let i = 0; i < 5; i++)
      await source.manager.append(
        key,
        Array.from({ length: 9 }, (_, j) => ({ role: 'assistant' as const, content: `${i}.${j}` })),
      );

    const result = await cli(['migrate', source.url, target.url, '--batch-size', '7']);

    expect(result.code, result.stderr).toBe(0);
    const copied = await target.engine.readMessages(key);
    expect(copied.map((message) => message.seq)).toEqual(Array.from({ length: 45 }, (_, i) => i + 2));
    expect(await snapshot(target.engine)).toEqual(await snapshot(source.engine));
  });

  it('copies a long history with gaps in seq in one write, since appending cannot reproduce gaps', async () => {
    const source = await memoryStore();
    const target = await memoryStore();
    const now = new Date();
    const key = { userId: 'carol', sessionId: 'gappy' };
    const seqs = [1, 2, 5, 6, 9, 10, 11];
    const messages = seqs.map((seq) => testMessage(key, { seq, id: `m${seq}`, content: `seq ${seq}`, createdAt: now }));
    await source.engine.createSession(
      {
        ...key,
        title: null,
        metadata: {},
        state: {},
        status: 'active',
        createdAt: now,
        updatedAt: now,
        expiresAt: null,
        parentSessionId: null,
        parentSeq: null,
        messageCount: 7,
        lastSeq: 12,
        version: 3,
      },
      messages,
    );

    const result = await cli(['migrate', source.url, target.url, '--batch-size', '3']);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/gaps in seq/);
    expect(await snapshot(target.engine)).toEqual(await snapshot(source.engine));
  });

  it('leaves a different session under the same key alone, lists it as a conflict and exits 8', async () => {
    const source = await memoryStore();
    const target = await memoryStore();
    await source.manager.create({ userId: 'dave', sessionId: 'same', title: 'from the source', messages: [{ role: 'user', content: 'hi' }] });
    await source.manager.create({ userId: 'dave', sessionId: 'other' });
    await target.manager.create({ userId: 'dave', sessionId: 'same', title: 'already in the target' });

    const result = await cli(['migrate', source.url, target.url, '--json']);

    expect(result.code).toBe(8);
    const summary = JSON.parse(result.stdout);
    expect(summary.sessions).toMatchObject({ copied: 1, conflicts: 1 });
    expect(summary.conflicts[0]).toMatchObject({ userId: 'dave', sessionId: 'same' });
    expect(summary.conflicts[0].reason).toMatch(/title/);
    expect(summary.verification.ok).toBe(true);
    expect((await target.engine.getSession({ userId: 'dave', sessionId: 'same' }))!.title).toBe('already in the target');
  });

  it('with --dry-run counts what would be copied and writes nothing', async () => {
    const source = await memoryStore();
    const target = await memoryStore();
    await seedVariety(source.manager, { users: 2, sessionsPerUser: 2 });

    const result = await cli(['migrate', source.url, target.url, '--dry-run', '--json']);

    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.dryRun).toBe(true);
    expect(summary.sessions.copied).toBe(await source.engine.count('sessions'));
    expect(summary.messages.copied).toBe(await source.engine.count('messages'));
    expect(summary.verification).toBeNull();
    expect(await target.engine.count('sessions')).toBe(0);
  });

  it('copies only the sessions --user and --where select', async () => {
    const source = await memoryStore();
    const target = await memoryStore();
    await seedVariety(source.manager);

    const result = await cli(['migrate', source.url, target.url, '--user', 'user-1', '--where', '{"op":"eq","field":"metadata.channel","value":"web"}']);

    expect(result.code, result.stderr).toBe(0);
    const copied = await target.engine.findMany('sessions', {});
    const expected = await source.engine.findMany('sessions', { where: and(eq('userId', 'user-1'), eq('metadata.channel', 'web')) });
    expect(copied.map((session) => session.sessionId).sort()).toEqual(expected.map((session) => session.sessionId).sort());
    expect(copied.length).toBeGreaterThan(0);
  });

  it('stops between sessions when interrupted, and a rerun completes an exact copy', async () => {
    const source = await memoryStore();
    const target = await memoryStore();
    await seedVariety(source.manager, { users: 3, sessionsPerUser: 4 });
    const controller = new AbortController();

    const interrupted = migrateSessions(source.engine, target.engine, {
      concurrency: 1,
      pageSize: 2,
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.sessions >= 3) controller.abort();
      },
    });

    await expect(interrupted).rejects.toBeInstanceOf(InterruptedError);
    const partial = await target.engine.count('sessions');
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(await source.engine.count('sessions'));
    const rerun = await cli(['migrate', source.url, target.url, '--json']);
    expect(rerun.code).toBe(0);
    expect(JSON.parse(rerun.stdout).sessions.skipped).toBe(partial);
    expect(await snapshot(target.engine)).toEqual(await snapshot(source.engine));
  });

  it('exits 130 when interrupted before it starts, having written nothing', async () => {
    const source = await memoryStore();
    const target = await memoryStore();
    await seedVariety(source.manager, { users: 1 });

    const result = await cli(['migrate', source.url, target.url], { signal: AbortSignal.abort() });

    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/rerun/);
    expect(await target.engine.count('sessions')).toBe(0);
  });

  it('fails verification (exit 1) when the target holds fewer message rows than its counters say', async () => {
    const source = await memoryStore();
    const target = await memoryStore();
    await seedVariety(source.manager, { users: 1, sessionsPerUser: 2 });
    expect((await cli(['migrate', source.url, target.url])).code).toBe(0);
    // Lose a message behind the engine's back, as a corrupted or half-restored store would.
    const stored = [...(target.engine as unknown as { store: { sessions: Map<string, { messages: Message[] }> } }).store.sessions.values()][0]!;
    stored.messages.pop();

    const rerun = await cli(['migrate', source.url, target.url, '--json']);

    expect(rerun.code).toBe(1);
    const summary = JSON.parse(rerun.stdout);
    expect(summary.verification.ok).toBe(false);
    expect(summary.verification.mismatches[0].reason).toMatch(/message rows/);
  });

  it('leaves sessions whose TTL has passed behind, counting them, unless --include-expired', async () => {
    const source = await memoryStore();
    await source.manager.create({ userId: 'u', sessionId: 'live', ttlMs: 3_600_000 });
    await source.manager.create({ userId: 'u', sessionId: 'gone', ttlMs: 1, messages: [{ role: 'user', content: 'x' }] });
    await new Promise((resolve) => setTimeout(resolve, 5));

    const plain = await memoryStore();
    const byDefault = await cli(['migrate', source.url, plain.url, '--json']);
    const everything = await memoryStore();
    const withExpired = await cli(['migrate', source.url, everything.url, '--json', '--include-expired']);

    expect(byDefault.code).toBe(0);
    expect(JSON.parse(byDefault.stdout).sessions).toMatchObject({ scanned: 1, copied: 1, expired: 1 });
    expect((await plain.engine.findMany('sessions', {})).map((session) => session.sessionId)).toEqual(['live']);
    expect(withExpired.code).toBe(0);
    expect(JSON.parse(withExpired.stdout).sessions).toMatchObject({ scanned: 2, copied: 2, expired: 0 });
    expect(await snapshot(everything.engine)).toEqual(await snapshot(source.engine));
  });

  it('verifies the expired sessions it copied under --include-expired, and its progress counts only what it copies', async () => {
    const source = await memoryStore();
    const past = new Date(Date.now() - 60_000);
    for (const [sessionId, expiresAt] of [
      ['live', null],
      ['lapsed', past],
    ] as const) {
      const key = { userId: 'u', sessionId };
      await source.engine.createSession(
        {
          ...key,
          title: null,
          metadata: {},
          state: {},
          status: 'active',
          createdAt: past,
          updatedAt: past,
          expiresAt,
          parentSessionId: null,
          parentSeq: null,
          messageCount: 2,
          lastSeq: 2,
          version: 0,
        },
        [testMessage(key, { seq: 1, createdAt: past }), testMessage(key, { seq: 2, createdAt: past })],
      );
    }

    const everything = await memoryStore();
    const withExpired = await cli(['migrate', source.url, everything.url, '--json', '--include-expired']);
    expect(withExpired.code, withExpired.stderr).toBe(0);
    expect(JSON.parse(withExpired.stdout).verification).toMatchObject({ ok: true, sessions: 2, messages: 4, expiredMeanwhile: 0 });

    const plain = await memoryStore();
    const byDefault = await cli(['migrate', source.url, plain.url, '--progress', 'bar']);
    expect(byDefault.code, byDefault.stderr).toBe(0);
    // The bar's total is what will be copied (1), not every session of the source (2).
    expect(byDefault.stderr).toMatch(/1\/1 sessions/);
    expect(byDefault.stderr).not.toMatch(/\/2 sessions/);
  });

  it('leaves expired sessions out of the verification only on a target that drops them by itself', async () => {
    const source = await memoryStore();
    const target = await memoryStore();
    const past = new Date(Date.now() - 60_000);
    const key = { userId: 'u', sessionId: 'lapsed' };
    await source.engine.createSession(
      {
        ...key,
        title: null,
        metadata: {},
        state: {},
        status: 'active',
        createdAt: past,
        updatedAt: past,
        expiresAt: past,
        parentSessionId: null,
        parentSeq: null,
        messageCount: 1,
        lastSeq: 1,
        version: 0,
      },
      [testMessage(key, { seq: 1, createdAt: past })],
    );
    const withNativeTtl = new Proxy(target.engine, {
      get(engine, property) {
        if (property === 'capabilities') return { ...engine.capabilities, nativeTtl: true };
        const value: unknown = Reflect.get(engine, property, engine);
        return typeof value === 'function' ? value.bind(engine) : value;
      },
    });

    const keeping = await verifyCopy(source.engine, target.engine, { pageSize: 10, ignore: new Set() });
    const dropping = await verifyCopy(source.engine, withNativeTtl, { pageSize: 10, ignore: new Set() });

    expect(keeping).toMatchObject({ ok: false, expiredMeanwhile: 0 });
    expect(keeping.mismatches[0]).toMatchObject({ sessionId: 'lapsed', reason: 'missing from the target' });
    expect(dropping).toMatchObject({ ok: true, sessions: 0, expiredMeanwhile: 1 });
  });

  it('refuses to migrate a store onto itself (exit 2)', async () => {
    const source = await memoryStore();
    const result = await cli(['migrate', source.url, source.url]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/same store/);
    expect((await cli(['migrate', 'sqlite:./a/../store.db', 'sqlite:store.db'])).code).toBe(2);
  });
});
