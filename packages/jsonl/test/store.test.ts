import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { and, createEngine, eq, SessionManager, StorageError, ValidationError, type Message, type SessionKey } from '@sessions/core';
import { type MessageRange } from '@sessions/core/engine';
import { CorruptFileError, fromUrl, JsonlEngine } from '../src/index.js';
import { sessionFiles } from './raw-store.js';
import { testScope } from './temp-dir.js';

describe('the JSONL store', () => {
  const { freshDir, track } = testScope();

  async function engineOn(dir: string, options: { indexCacheSize?: number } = {}): Promise<JsonlEngine> {
    const engine = track(new JsonlEngine({ dir, ...options }));
    await engine.setup();
    return engine;
  }

  it('lays out files a person can read with cat and jq', async () => {
    const dir = freshDir();
    const manager = new SessionManager({ engine: await engineOn(dir) });
    const key = { userId: 'alice', sessionId: 'chat_1' };
    await manager.create({ ...key, title: 'Hello', metadata: { channel: 'web' } });
    await manager.append(key, [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello' },
    ]);
    const lease = await manager.acquire(key, { ttlMs: 10_000 });

    expect(JSON.parse(await readFile(join(dir, 'format.json'), 'utf8'))).toEqual({ format: 'sessions-jsonl', version: 2 });
    expect((await readdir(join(dir, 'users', 'alice'))).sort()).toEqual(['chat_1.lease.json', 'chat_1.messages.jsonl', 'chat_1.session.json']);
    const sessionFile = await readFile(join(dir, 'users/alice/chat_1.session.json'), 'utf8');
    expect(sessionFile).toContain('\n  "session": {\n    "userId": "alice",');
    expect(JSON.parse(sessionFile)).toMatchObject({
      session: { title: 'Hello', metadata: { channel: 'web' }, messageCount: 2, lastSeq: 2 },
      log: { clearedThroughSeq: 0 },
    });
    const lines = (await readFile(join(dir, 'users/alice/chat_1.messages.jsonl'), 'utf8')).split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0]!)).toMatchObject({ seq: 1, role: 'user', content: 'hi', metadata: {} });
    expect(lines[1]!.startsWith('{"seq":2,"id":"msg_')).toBe(true);
    expect(JSON.parse(await readFile(join(dir, 'users/alice/chat_1.lease.json'), 'utf8'))).toEqual({
      userId: 'alice',
      sessionId: 'chat_1',
      owner: lease.owner,
      token: 1,
      expiresAt: lease.expiresAt.toISOString(),
    });
  });

  it('shows everything to an engine opened later on the same folder', async () => {
    const dir = freshDir();
    const firstEngine = await engineOn(dir);
    const first = new SessionManager({ engine: firstEngine });
    const key = { userId: 'u', sessionId: 'kept' };
    await first.create({ ...key, title: 'kept', metadata: { deep: { list: [1, 'two', null, { x: '😀' }] } }, state: { step: 3 } });
    await first.append(
      key,
      Array.from({ length: 120 }, (_, i) => ({
        role: 'user' as const,
        content: [{ type: 'text', text: `m${i} \u{1F600} "quoted" \\ \u2028` }],
        metadata: { i },
      })),
    );
    const lease = await first.acquire(key, { ttlMs: 60_000 });
    await first.release(lease);
    const expected = await first.messages(key);
    await firstEngine.close();

    const second = new SessionManager({ engine: await engineOn(dir) });
    expect(await second.get(key)).toMatchObject({
      title: 'kept',
      metadata: { deep: { list: [1, 'two', null, { x: '😀' }] } },
      state: { step: 3 },
      messageCount: 120,
      lastSeq: 120,
    });
    expect(await second.messages(key, { last: 3 })).toEqual(expected.slice(-3));
    expect(await second.messages(key)).toEqual(expected);
    expect((await second.acquire(key)).token).toBe(lease.token + 1);
  });

  it('keeps engines with separate caches coherent through appends, clears, rewrites and re-creation', async () => {
    const dir = freshDir();
    const a = new SessionManager({ engine: await engineOn(dir) });
    const b = new SessionManager({ engine: await engineOn(dir) });
    const key = { userId: 'u', sessionId: 'shared' };
    await a.create(key);
    await a.append(key, [
      { role: 'user', content: 'a1', id: 'one' },
      { role: 'user', content: 'a2' },
    ]);
    await b.append(key, { role: 'user', content: 'b1' });
    await expect(a.append(key, { role: 'user', content: 'dup', id: 'one' })).rejects.toThrow(/already used/);
    await a.append(key, { role: 'user', content: 'a3' });
    expect((await b.messages(key)).map((m) => [m.seq, m.content])).toEqual([
      [1, 'a1'],
      [2, 'a2'],
      [3, 'b1'],
      [4, 'a3'],
    ]);

    await b.clear(key);
    await a.append(key, { role: 'user', content: 'after clear', id: 'one' });
    expect((await b.messages(key)).map((m) => [m.seq, m.content])).toEqual([[5, 'after clear']]);

    expect(await b.engine.update('messages', { where: and(eq('userId', 'u'), eq('sessionId', 'shared')), set: { metadata: { edited: true } } })).toBe(1);
    expect((await a.messages(key))[0]!.metadata).toEqual({ edited: true });
    await a.append(key, { role: 'user', content: 'after rewrite' });
    expect((await b.messages(key, { last: 1 }))[0]).toMatchObject({ seq: 6, content: 'after rewrite' });

    await b.delete(key);
    await b.create({ ...key, messages: [{ role: 'system', content: 'reborn' }] });
    expect((await a.messages(key)).map((m) => m.content)).toEqual(['reborn']);
    await a.append(key, { role: 'user', content: 'next' });
    expect((await b.messages(key)).map((m) => [m.seq, m.content])).toEqual([
      [1, 'reborn'],
      [2, 'next'],
    ]);
  });

  it('judges a read given liveAt on the session file it reads, so another engine changing the ttl counts at once', async () => {
    const dir = freshDir();
    let now = Date.parse('2026-06-01T00:00:00.000Z');
    const a = new SessionManager({ engine: await engineOn(dir), clock: () => now });
    const b = new SessionManager({ engine: await engineOn(dir), clock: () => now });
    const key = { userId: 'u', sessionId: 'ttl' };
    await a.create({
      ...key,
      ttlMs: 60_000,
      messages: [
        { role: 'user', content: 'one' },
        { role: 'assistant', content: 'two' },
      ],
    });
    // Warm indexes in both engines: nothing about the session may be answered from them.
    expect((await a.messages(key)).map((m) => m.content)).toEqual(['one', 'two']);
    expect((await b.messages(key, { last: 1 })).map((m) => m.content)).toEqual(['two']);

    await b.update(key, { ttlMs: 500 });
    now += 499;
    expect((await a.messages(key, { last: 1 })).map((m) => m.content)).toEqual(['two']);
    await b.update(key, { ttlMs: 1_000 });
    now += 500;
    expect((await a.messages(key)).map((m) => m.content)).toEqual(['one', 'two']);
    now += 500;
    expect(await a.messages(key)).toEqual([]);
    expect(await a.messages(key, { last: 1 })).toEqual([]);
    expect(await a.engine.readMessages(key, { afterSeq: 0, liveAt: new Date(now) })).toEqual([]);
    // Expired is not deleted: a read without liveAt (a backup tool) still gets everything.
    expect((await a.engine.readMessages(key)).map((m) => m.seq)).toEqual([1, 2]);
  });

  it('reads an expired session given liveAt as empty from its session file alone, and without liveAt reads its messages file', async () => {
    const dir = freshDir();
    const now = Date.parse('2026-06-01T00:00:00.000Z');
    const engine = await engineOn(dir);
    const manager = new SessionManager({ engine, clock: () => now });
    const key = { userId: 'u', sessionId: 'gone' };
    await manager.create({ ...key, ttlMs: 1_000, messages: [{ role: 'user', content: 'one' }] });
    // A missing messages file under a session that records one message is damage, reported on any read that opens it.
    await rm(sessionFiles(dir, key).messages);
    const liveAt = new Date(now + 1_000);
    for (const range of [{}, { last: 1 }, { afterSeq: 0, limit: 1 }]) {
      expect(await engine.readMessages(key, { ...range, liveAt })).toEqual([]);
    }
    const error = await engine.readMessages(key, { liveAt: new Date(now + 999) }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).cause).toBeInstanceOf(CorruptFileError);
    await expect(engine.readMessages(key)).rejects.toBeInstanceOf(StorageError);
  });

  it('returns the same messages for any range whether it reads the tail, a cold index or a warm one', async () => {
    const dir = freshDir();
    const writer = new SessionManager({ engine: await engineOn(dir) });
    const key: SessionKey = { userId: 'u', sessionId: 'ranges' };
    await writer.create(key);
    await writer.append(
      key,
      Array.from({ length: 40 }, (_, i) => ({ role: 'user' as const, content: `old ${i}` })),
    );
    await writer.clear(key);
    for (let batch = 0; batch < 30; batch++) {
      await writer.append(
        key,
        Array.from({ length: 1 + (batch % 4) }, (_, i) => ({ role: 'assistant' as const, content: `b${batch}.${i} ${'é'.repeat(batch * 40)}` })),
      );
    }
    const all = await writer.messages(key);
    expect(all[0]!.seq).toBe(41);
    const expectedFor = (range: MessageRange): Message[] => {
      let list = all.filter((m) => m.seq > (range.afterSeq ?? 0) && m.seq < (range.beforeSeq ?? Infinity));
      if (range.last !== undefined) list = list.slice(Math.max(0, list.length - range.last));
      if (range.limit !== undefined) list = list.slice(0, range.limit);
      return list;
    };
    let seed = 7;
    const random = (n: number) => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % n;
    for (let i = 0; i < 60; i++) {
      const range: MessageRange = {};
      if (random(3) === 0) range.afterSeq = 30 + random(80);
      if (random(3) === 0) range.beforeSeq = 40 + random(80);
      if (random(2) === 0) range.last = random(30);
      // eslint-disable-next-line no-dupe-else-if -- random() advances the seed, so the same call differs each time
      else if (random(2) === 0) range.limit = random(30);
      const cold = new SessionManager({ engine: await engineOn(dir, { indexCacheSize: 1 }) });
      expect(await cold.messages(key, range), JSON.stringify(range)).toEqual(expectedFor(range));
      expect(await writer.messages(key, range), JSON.stringify(range)).toEqual(expectedFor(range));
      await cold.engine.close();
    }
  });

  it('lists, filters and pages through a thousand sessions of one user', async () => {
    const dir = freshDir();
    let now = Date.parse('2026-01-01T00:00:00.000Z');
    const manager = new SessionManager({ engine: await engineOn(dir), clock: () => now });
    for (let i = 0; i < 1_000; i++) {
      now += 1_000;
      await manager.create({ userId: 'busy', sessionId: `s${String(i).padStart(4, '0')}`, metadata: { tier: i % 10 === 0 ? 'pro' : 'free', n: i } });
    }
    await manager.create({ userId: 'other', sessionId: 's0000', metadata: { tier: 'pro' } });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof manager.list>> = await manager.list({ userId: 'busy', where: eq('metadata.tier', 'pro'), limit: 20, cursor });
      seen.push(...page.sessions.map((s) => s.sessionId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => `s${String(990 - i * 10).padStart(4, '0')}`));
    expect(await manager.engine.count('sessions', { where: eq('metadata.tier', 'pro') })).toBe(101);
  }, 60_000);

  it('refuses a non-empty folder that is not a store, and a store written by a newer version', async () => {
    const dir = freshDir();
    await writeFile(join(dir, 'notes.txt'), 'mine');
    await expect(engineOn(dir)).rejects.toThrow(/is not empty \(notes\.txt\) and has no format\.json/);
    await expect(new JsonlEngine({ dir }).setup()).rejects.toBeInstanceOf(ValidationError);

    const newer = freshDir();
    await writeFile(join(newer, 'format.json'), JSON.stringify({ format: 'sessions-jsonl', version: 99 }));
    await expect(engineOn(newer)).rejects.toThrow(/schema version 99, but this @sessions\/jsonl reads version 2: upgrade @sessions\/jsonl/);

    const nested = join(freshDir(), 'a', 'b');
    await engineOn(nested);
    expect((await readdir(nested)).sort()).toEqual(['format.json', 'users']);
    await mkdir(join(nested, 'users', 'x'), { recursive: true });
    await engineOn(nested);
  });

  it('validates its options', () => {
    expect(() => new JsonlEngine({ dir: '' })).toThrow(ValidationError);
    expect(() => new JsonlEngine(undefined as never)).toThrow(ValidationError);
    expect(() => new JsonlEngine({ dir: 'x', lockTimeoutMs: 0 })).toThrow(/options\.lockTimeoutMs/);
    expect(() => new JsonlEngine({ dir: 'x', fsync: 'yes' as never })).toThrow(/options\.fsync/);
  });

  it('is built from jsonl: URLs, also through createEngine', async () => {
    expect(fromUrl('jsonl:./data').dir).toBe(join(process.cwd(), 'data'));
    expect(fromUrl('jsonl:/var/lib/sessions').dir).toBe('/var/lib/sessions');
    expect(fromUrl('jsonl:///tmp/with%20space').dir).toBe('/tmp/with space');
    expect(() => fromUrl('jsonl:')).toThrow(ValidationError);
    expect(() => fromUrl('sqlite:./x.db')).toThrow(ValidationError);
    const dir = freshDir();
    const engine = await createEngine(`jsonl:${dir}`);
    try {
      expect(engine.name).toBe('jsonl');
      expect(engine.capabilities).toEqual({ persistent: true, crossProcess: true, nativeTtl: false });
      await engine.setup();
      expect(await readdir(dir)).toContain('format.json');
    } finally {
      await engine.close();
    }
  });
});
