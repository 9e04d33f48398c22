import { SessionManager } from '@sessions/core';
import { describe, expect, it } from 'vitest';
import { memoryStore } from './support/memory-stores.js';
import { cli } from './support/run-cli.js';

const DAY = 86_400_000;

/** A store with sessions last updated 1, 10, 40 and 100 days ago, one of them archived, and one expired. */
async function agedStore() {
  const store = await memoryStore();
  const now = Date.now();
  const at = (daysAgo: number) => new SessionManager({ engine: store.engine, clock: () => now - daysAgo * DAY });
  for (const [sessionId, daysAgo, messages] of [
    ['fresh', 1, 2],
    ['recent', 10, 3],
    ['old', 40, 4],
    ['ancient', 100, 5],
  ] as const) {
    const manager = at(daysAgo);
    await manager.create({ userId: 'alice', sessionId, messages: Array.from({ length: messages }, (_, i) => ({ role: 'user' as const, content: `m${i}` })) });
  }
  await at(50).create({ userId: 'bob', sessionId: 'archived-old', messages: [{ role: 'user', content: 'x' }] });
  await store.engine.update('sessions', { where: { op: 'eq', field: 'sessionId', value: 'archived-old' }, set: { status: 'archived' } });
  await at(2).create({
    userId: 'bob',
    sessionId: 'expired',
    ttlMs: DAY,
    messages: [
      { role: 'user', content: 'y' },
      { role: 'user', content: 'z' },
    ],
  });
  return store;
}

describe('sessions prune', () => {
  it('archives the active sessions not updated within --older-than and reports how many, with their messages', async () => {
    const store = await agedStore();

    const result = await cli(['prune', store.url, '--older-than', '30d', '--json']);

    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ action: 'archive', dryRun: false, old: { sessions: 2, messages: 9 }, expired: null });
    const statuses = Object.fromEntries((await store.engine.findMany('sessions', {})).map((session) => [session.sessionId, session.status]));
    expect(statuses).toEqual({ fresh: 'active', recent: 'active', old: 'archived', ancient: 'archived', 'archived-old': 'archived', expired: 'active' });
    expect(await store.engine.count('messages')).toBe(2 + 3 + 4 + 5 + 1 + 2);
  });

  it('deletes old sessions of any status with their messages under --delete', async () => {
    const store = await agedStore();

    const result = await cli(['prune', store.url, '--older-than', '30d', '--delete', '--yes']);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/deleted 3 sessions \(10 messages\) not updated since/);
    expect((await store.engine.findMany('sessions', {})).map((session) => session.sessionId).sort()).toEqual(['expired', 'fresh', 'recent']);
    expect(await store.engine.count('messages')).toBe(2 + 3 + 2);
  });

  it('deletes sessions whose TTL has passed under --expired', async () => {
    const store = await agedStore();

    const result = await cli(['prune', store.url, '--expired', '--yes', '--json']);

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ expired: { sessions: 1, messages: 2 }, old: null });
    expect(await store.engine.getSession({ userId: 'bob', sessionId: 'expired' })).toBeNull();
    expect(await store.engine.count('sessions')).toBe(5);
  });

  it('only counts under --dry-run', async () => {
    const store = await agedStore();

    const result = await cli(['prune', store.url, '--older-than', '5d', '--delete', '--expired', '--dry-run', '--json']);

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ dryRun: true, old: { sessions: 4, messages: 13 }, expired: { sessions: 1, messages: 2 } });
    expect(await store.engine.count('sessions')).toBe(6);
  });

  it('accepts a date as --older-than and limits itself to --user', async () => {
    const store = await agedStore();
    const cutoff = new Date(Date.now() - 5 * DAY).toISOString().slice(0, 10);

    const result = await cli(['prune', store.url, '--older-than', cutoff, '--user', 'bob', '--json']);

    expect(result.code).toBe(0);
    // bob's only active session is newer than the cut-off; alice's old ones are not his.
    expect(JSON.parse(result.stdout).old).toEqual({ sessions: 0, messages: 0 });
  });

  it('refuses to delete without --yes when there is no terminal to ask on (exit 2), and changes nothing', async () => {
    const store = await agedStore();

    const result = await cli(['prune', store.url, '--older-than', '30d', '--delete']);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--yes/);
    expect(await store.engine.count('sessions')).toBe(6);
  });

  it('rejects a malformed duration and contradictory options as usage errors (exit 2)', async () => {
    const store = await agedStore();
    expect((await cli(['prune', store.url, '--older-than', '30 days'])).code).toBe(2);
    expect((await cli(['prune', store.url, '--older-than', '30d', '--archive', '--delete'])).code).toBe(2);
    expect((await cli(['prune', store.url])).code).toBe(2);
  });

  it('refuses a cut-off that would take every session, a negative one and a date not in the calendar, changing nothing (exit 2)', async () => {
    const store = await agedStore();
    const before = await store.engine.findMany('sessions', {});
    const future = new Date(Date.now() + DAY).toISOString().slice(0, 10);
    const cases: Array<[string[], RegExp]> = [
      [['--older-than', '0d', '--delete', '--yes'], /would select every session/],
      [['--older-than', future, '--delete', '--yes'], /is not in the past/],
      [['--older-than', '-5d', '--delete', '--yes'], /--older-than needs a value, and "-5d" looks like an option/],
      [['--older-than=-5d', '--delete', '--yes'], /--older-than takes a duration/],
      [['--older-than', '30x'], /--older-than takes a duration/],
      [['--older-than', '30d', '--connect-timeout', '0s'], /--connect-timeout must be longer than 0/],
      [['--older-than', '2025-02-30', '--delete', '--yes'], /"2025-02-30" is not a date in the calendar/],
    ];
    for (const [args, message] of cases) {
      const result = await cli(['prune', store.url, ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.stderr.split('\n').filter(Boolean), args.join(' ')).toHaveLength(2);
    }
    expect(await store.engine.findMany('sessions', {})).toEqual(before);
  });
});

describe('sessions delete-user', () => {
  it('deletes every session and message of the user, archived and expired ones too, and nothing of anyone else', async () => {
    const store = await agedStore();

    const result = await cli(['delete-user', store.url, 'bob', '--yes', '--json']);

    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ userId: 'bob', dryRun: false, sessions: 2, messages: 3, remaining: { sessions: 0, messages: 0 } });
    expect(await store.engine.count('sessions', { where: { op: 'eq', field: 'userId', value: 'bob' } })).toBe(0);
    expect(await store.engine.count('sessions')).toBe(4);
    expect(await store.engine.count('messages')).toBe(14);
  });

  it('reports the counts in words and confirms nothing is left', async () => {
    const store = await agedStore();

    const result = await cli(['delete-user', store.url, 'alice', '--yes']);

    expect(result.stdout).toBe('deleted 4 sessions and 14 messages of user "alice"\n');
    expect(result.stderr).toMatch(/verified: no session or message of user "alice" is left/);
  });

  it('counts without deleting under --dry-run, and succeeds with zero for an unknown user', async () => {
    const store = await agedStore();

    const dry = await cli(['delete-user', store.url, 'alice', '--dry-run', '--json']);
    const nobody = await cli(['delete-user', store.url, 'nobody', '--yes', '--json']);

    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, sessions: 4, messages: 14 });
    expect(JSON.parse(nobody.stdout)).toMatchObject({ sessions: 0, messages: 0 });
    expect(await store.engine.count('sessions')).toBe(6);
  });

  it('rejects an invalid user id before touching the store (exit 3)', async () => {
    const store = await agedStore();
    const result = await cli(['delete-user', store.url, 'bad\u0001id', '--yes']);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/control characters/);
  });
});
