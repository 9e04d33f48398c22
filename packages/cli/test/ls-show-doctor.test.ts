import type { Message } from '@sessions/core';
import { describe, expect, it } from 'vitest';
import { seedVariety } from './support/fixtures.js';
import { memoryStore } from './support/memory-stores.js';
import { cli, jsonLines } from './support/run-cli.js';

describe('sessions ls', () => {
  it('lists active, unexpired sessions of every user in user and session id order', async () => {
    const store = await memoryStore();
    await seedVariety(store.manager);

    const result = await cli(['ls', store.url, '--json']);

    expect(result.code).toBe(0);
    const listed = jsonLines<{ userId: string; sessionId: string; status: string }>(result.stdout);
    const expected = (
      await store.engine.findMany('sessions', { where: { op: 'eq', field: 'status', value: 'active' }, orderBy: [{ field: 'userId', direction: 'asc' }] })
    ).map((session) => `${session.userId}/${session.sessionId}`);
    expect(listed.map((session) => `${session.userId}/${session.sessionId}`)).toEqual(expected);
    expect(listed.every((session) => session.status === 'active')).toBe(true);
  });

  it('widens to archived sessions with --archived and to expired ones with --expired', async () => {
    const store = await memoryStore();
    await store.manager.create({ userId: 'u', sessionId: 'active' });
    await store.manager.archive(await store.manager.create({ userId: 'u', sessionId: 'archived' }));
    await store.manager.create({ userId: 'u', sessionId: 'expired', ttlMs: 1 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const ids = async (...flags: string[]) =>
      jsonLines<{ sessionId: string }>((await cli(['ls', store.url, '--json', ...flags])).stdout).map((s) => s.sessionId);

    expect(await ids()).toEqual(['active']);
    expect(await ids('--archived')).toEqual(['active', 'archived']);
    expect(await ids('--archived', '--expired')).toEqual(['active', 'archived', 'expired']);
  });

  it('filters with --user and --where, stops at --limit, and pages through more than one page', async () => {
    const store = await memoryStore();
    for (let i = 0; i < 1_203; i++)
      await store.manager.create({ userId: i % 2 ? 'odd' : 'even', sessionId: `s${String(i).padStart(4, '0')}`, metadata: { i } });

    const all = jsonLines<{ sessionId: string }>((await cli(['ls', store.url, '--json', '--user', 'odd'])).stdout);
    const filtered = jsonLines((await cli(['ls', store.url, '--json', '--where', '{"op":"lt","field":"metadata.i","value":10}'])).stdout);
    const limited = jsonLines((await cli(['ls', store.url, '--json', '--limit', '3'])).stdout);

    expect(all).toHaveLength(601);
    expect(new Set(all.map((session) => session.sessionId)).size).toBe(601);
    expect(filtered).toHaveLength(10);
    expect(limited).toHaveLength(3);
  });

  it('prints a table for people, with control characters in stored text made harmless', async () => {
    const store = await memoryStore();
    await store.manager.create({ userId: 'alice', sessionId: 'chat_1', title: 'evil \u001b[31mred\u001b[0m title' });

    const result = await cli(['ls', store.url]);

    expect(result.stdout).toMatch(/^USER\s+SESSION\s+STATUS\s+MSGS\s+UPDATED\s+TITLE\n/);
    expect(result.stdout).toMatch(/alice\s+chat_1\s+active\s+0\s+\S+ \S+\s+evil \\u001b\[31mred/);
    expect(result.stdout).not.toContain('\u001b');
    expect(result.stderr).toBe('1 session\n');
  });

  it('rejects an invalid --where with the reason (exit 3)', async () => {
    const store = await memoryStore();
    const result = await cli(['ls', store.url, '--where', '{"op":"eq","field":"nope","value":1}']);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/nope/);
  });
});

describe('sessions show', () => {
  it('prints the session and all its messages as one JSON document with --json', async () => {
    const store = await memoryStore();
    await seedVariety(store.manager, { users: 1, messages: 7 });
    const key = { userId: 'ünïcødé-👩‍💻', sessionId: 'chat_0' };

    const result = await cli(['show', store.url, key.userId, key.sessionId, '--json']);

    expect(result.code).toBe(0);
    const shown = JSON.parse(result.stdout);
    expect(shown.session).toMatchObject({ ...key, messageCount: 7 });
    expect(shown.messages).toEqual((await store.manager.export(key)).messages);
  });

  it('shows only the newest messages with --last', async () => {
    const store = await memoryStore();
    const session = await store.manager.create({ userId: 'u', sessionId: 's' });
    for (let i = 1; i <= 5; i++) await store.manager.append(session, { role: 'user', content: `m${i}` });

    const result = await cli(['show', store.url, 'u', 's', '--last', '2', '--json']);

    expect(JSON.parse(result.stdout).messages.map((message: Message) => message.content)).toEqual(['m4', 'm5']);
  });

  it('prints messages for people, text parts as text and tool calls spelled out', async () => {
    const store = await memoryStore();
    await store.manager.create({
      userId: 'u',
      sessionId: 's',
      title: 'Trip',
      messages: [
        { role: 'user', content: 'line one\nline two' },
        { role: 'assistant', content: [{ type: 'text', text: 'sure' }], toolCalls: [{ id: 'c1', name: 'search' }], agentId: 'planner' },
      ],
    });

    const result = await cli(['show', store.url, 'u', 's']);

    expect(result.stdout).toMatch(/^session {2}s {2}\(user u\)\ntitle {4}Trip\n/);
    expect(result.stdout).toMatch(/#1 .* user .*\n {4}line one\n {4}line two\n/);
    expect(result.stdout).toMatch(/#2 .* assistant · agent planner .*\n {4}sure\n {4}tool calls: \[\{"id":"c1","name":"search"\}\]/);
  });

  it('exits 4 for a session that does not exist, or exists for another user only', async () => {
    const store = await memoryStore();
    await store.manager.create({ userId: 'alice', sessionId: 'mine' });

    const result = await cli(['show', store.url, 'bob', 'mine']);

    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/session "mine" of user "bob" does not exist/);
  });
});

describe('sessions doctor', () => {
  it('passes on a healthy store and reports its counts', async () => {
    const store = await memoryStore();
    await seedVariety(store.manager, { users: 2 });

    const result = await cli(['doctor', store.url, '--json']);

    expect(result.code, result.stdout).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.ok).toBe(true);
    expect(report.counts).toMatchObject({ sessions: await store.engine.count('sessions'), messages: await store.engine.count('messages'), archived: 1 });
    expect(report.checks.map((check: { name: string; status: string }) => `${check.name}:${check.status}`)).toEqual([
      'adapter:ok',
      'connect:ok',
      'schema:ok',
      'capabilities:ok',
      'counts:ok',
      'counters:ok',
      'leases:ok',
    ]);
    expect(report.checks.find((check: { name: string }) => check.name === 'schema').detail).toMatch(/schema, version 1 \(engine memory\)/);
  });

  it('fails (exit 1) when a session counter disagrees with the message rows in the store', async () => {
    const store = await memoryStore();
    await seedVariety(store.manager, { users: 1 });
    const stored = [...(store.engine as unknown as { store: { sessions: Map<string, { messages: Message[] }> } }).store.sessions.values()][0]!;
    stored.messages.pop();

    const result = await cli(['doctor', store.url]);

    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL\s+counters\s+sessions count \d+ messages, the store holds \d+ message rows/);
  });

  it('reports held leases and lists stale ones: expired on the store clock, never released', async () => {
    const store = await memoryStore();
    await store.manager.create({ userId: 'u', sessionId: 'crashed' });
    await store.manager.create({ userId: 'u', sessionId: 'busy' });
    await store.manager.create({ userId: 'u', sessionId: 'done' });
    await store.manager.acquire({ userId: 'u', sessionId: 'crashed' }, { ttlMs: 1, owner: 'worker-7' });
    const busy = await store.manager.acquire({ userId: 'u', sessionId: 'busy' }, { ttlMs: 60_000 });
    await store.manager.release(await store.manager.acquire({ userId: 'u', sessionId: 'done' }, { ttlMs: 60_000 }));
    await new Promise((resolve) => setTimeout(resolve, 10));

    const result = await cli(['doctor', store.url, '--quick']);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/warn\s+leases\s+1 held now, 1 stale/);
    expect(result.stdout).toMatch(/u \/ crashed: worker-7 \(token 1\) expired /);
    expect(result.stdout).not.toMatch(/u \/ done:/);
    await store.manager.release(busy);
  });

  it('warns about expired sessions awaiting deletion', async () => {
    const store = await memoryStore();
    await store.manager.create({ userId: 'u', sessionId: 's', ttlMs: 1 });
    await new Promise((resolve) => setTimeout(resolve, 5));

    const result = await cli(['doctor', store.url, '--quick']);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/warn\s+counts\s+.*1 expired sessions await deletion/);
    expect(result.stdout).toMatch(/skip\s+counters\s+--quick/);
  });
});
