import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXPORT_FORMAT, EXPORT_VERSION } from '@sessions/core';
import { testMessage } from '@sessions/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { messageToJson } from '../src/format.js';
import { snapshot, seedVariety } from './support/fixtures.js';
import { memoryStore } from './support/memory-stores.js';
import { cli, jsonLines } from './support/run-cli.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function exportLine(userId: string, sessionId: string, messages: unknown[] = [], session: Record<string, unknown> = {}): string {
  return JSON.stringify({
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    session: {
      userId,
      sessionId,
      title: null,
      metadata: {},
      state: {},
      status: 'active',
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      expiresAt: null,
      parentSessionId: null,
      parentSeq: null,
      lastSeq: messages.length,
      ...session,
    },
    messages,
  });
}

/** A message as an export line carries it; `extra` overrides fields, to make bad lines. */
function message(seq: number, id = `m${seq}`, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const stored = testMessage({ userId: 'u', sessionId: 's' }, { seq, id, content: `hello ${seq}`, createdAt: new Date('2026-01-01T00:00:00.000Z') });
  return { ...messageToJson(stored), ...extra };
}

describe('sessions export and import', () => {
  it('round-trips a whole store through JSON Lines: every session, message, seq gap and field', async () => {
    const source = await memoryStore();
    const target = await memoryStore();
    await seedVariety(source.manager);

    const exported = await cli(['export', source.url]);
    expect(exported.code, exported.stderr).toBe(0);
    const lines = jsonLines(exported.stdout);
    expect(lines).toHaveLength(await source.engine.count('sessions'));
    expect(lines.every((line) => line['format'] === EXPORT_FORMAT && line['version'] === EXPORT_VERSION)).toBe(true);
    expect(exported.stderr).toMatch(new RegExp(`exported ${lines.length} sessions and ${await source.engine.count('messages')} messages`));

    const imported = await cli(['import', target.url], { input: exported.stdout });

    expect(imported.code, imported.stderr).toBe(0);
    // The export format carries no version counter: an import starts it at 0.
    expect(await snapshot(target.engine, { version: false })).toEqual(await snapshot(source.engine, { version: false }));
  });

  it('writes what SessionManager.export writes, so either side can read the other', async () => {
    const source = await memoryStore();
    await seedVariety(source.manager, { users: 1, sessionsPerUser: 1 });
    const key = { userId: 'ünïcødé-👩‍💻', sessionId: 'chat_0' };

    const exported = await cli(['export', source.url, '--user', key.userId, '--session', key.sessionId]);

    expect(jsonLines(exported.stdout)).toEqual([JSON.parse(JSON.stringify(await source.manager.export(key)))]);
  });

  it('exports only the sessions --user, --session and --where select', async () => {
    const source = await memoryStore();
    await seedVariety(source.manager);

    const byUser = jsonLines<{ session: { userId: string } }>((await cli(['export', source.url, '--user', 'user-2'])).stdout);
    const bySession = jsonLines<{ session: { sessionId: string } }>((await cli(['export', source.url, '--session', 'chat_1'])).stdout);
    const byWhere = jsonLines<{ session: { metadata: { channel: string } } }>(
      (await cli(['export', source.url, '--where', '{"op":"eq","field":"metadata.channel","value":"web"}'])).stdout,
    );

    expect(byUser.length).toBe(3);
    expect(byUser.every((line) => line.session.userId === 'user-2')).toBe(true);
    expect(bySession.length).toBe(3);
    expect(bySession.every((line) => line.session.sessionId === 'chat_1')).toBe(true);
    expect(byWhere.length).toBeGreaterThan(0);
    expect(byWhere.every((line) => line.session.metadata.channel === 'web')).toBe(true);
  });

  it('exits 4 with nothing on stdout when --session names a session that is not there', async () => {
    const source = await memoryStore();
    await source.manager.create({ userId: 'alice', sessionId: 'chat_1' });
    await source.manager.create({ userId: 'bob', sessionId: 'chat_1' });

    const typo = await cli(['export', source.url, '--user', 'alice', '--session', 'chat_l']);
    const otherUser = await cli(['export', source.url, '--user', 'carol', '--session', 'chat_1', '--json']);
    const anyUser = await cli(['export', source.url, '--session', 'chat_2']);
    const filteredOut = await cli(['export', source.url, '--session', 'chat_1', '--where', '{"op":"eq","field":"title","value":"none"}']);

    expect(typo.code).toBe(4);
    expect(typo.stdout).toBe('');
    expect(typo.stderr).toMatch(/session "chat_l" of user "alice" does not exist/);
    expect(otherUser.code).toBe(4);
    expect(JSON.parse(otherUser.stderr).error).toMatchObject({ code: 'SESSION_NOT_FOUND', exitCode: 4 });
    expect(anyUser.code).toBe(4);
    expect(anyUser.stderr).toMatch(/no user has a session "chat_2"/);
    // With --where the selection may rightly be empty: that is an empty export, not an error.
    expect(filteredOut.code).toBe(0);
    expect(filteredOut.stdout).toBe('');
    expect((await cli(['export', source.url, '--user', 'alice', '--session', 'chat_1'])).code).toBe(0);
  });

  it('leaves sessions whose TTL has passed out unless --include-expired', async () => {
    const source = await memoryStore();
    await source.manager.create({ userId: 'u', sessionId: 'live' });
    await source.manager.create({ userId: 'u', sessionId: 'gone', ttlMs: 1 });
    await new Promise((resolve) => setTimeout(resolve, 5));

    const ids = async (...flags: string[]) =>
      jsonLines<{ session: { sessionId: string } }>((await cli(['export', source.url, ...flags])).stdout).map((line) => line.session.sessionId);

    expect(await ids()).toEqual(['live']);
    expect(await ids('--include-expired')).toEqual(['gone', 'live']);
  });

  it('checks every line before writing: bad lines are listed by number, nothing is written, exit 3', async () => {
    const target = await memoryStore();
    const input = [
      exportLine('u1', 's1', [message(1)]),
      '{"format":"sessions.export", broken json',
      exportLine('u1', 's2', [message(1, 'same'), message(2, 'same')]),
      exportLine('u1', 's3', [message(2), message(1)], { lastSeq: 2 }),
      exportLine('u1', 's4', [message(1, 'x', { role: 'robot' })]),
      exportLine('u1', 's1'),
      JSON.stringify({ format: EXPORT_FORMAT, version: 99, session: {}, messages: [] }),
      exportLine('u1', 's5', [message(3)], { lastSeq: 2 }),
      exportLine('u1', 's6', [message(1)]),
    ].join('\n');

    const result = await cli(['import', target.url], { input });

    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/line 2: not valid JSON/);
    expect(result.stderr).toMatch(/line 3: .*"same" is already used/);
    expect(result.stderr).toMatch(/line 4: .*seq must increase/);
    expect(result.stderr).toMatch(/line 5: .*role must be one of/);
    expect(result.stderr).toMatch(/line 6: .*also on line 1/);
    expect(result.stderr).toMatch(/line 7: .*newer @sessions\/core/);
    expect(result.stderr).toMatch(/line 8: .*(exceeds|cannot exceed) the session's lastSeq/);
    expect(result.stderr).not.toMatch(/^line (1|9):/m);
    expect(result.stderr).toMatch(/7 bad lines of 9; nothing was written/);
    expect(await target.engine.count('sessions')).toBe(0);
  });

  it('lists bad lines as JSON with --json', async () => {
    const target = await memoryStore();
    const result = await cli(['import', target.url, '--json'], { input: `${exportLine('u', 's')}\nnot json\n` });

    expect(result.code).toBe(3);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, written: 0, lines: 2, errorCount: 1, errors: [{ line: 2 }] });
  });

  it('treats a session already in the store as a conflict (exit 8, nothing written) unless told to skip it', async () => {
    const target = await memoryStore();
    await target.manager.create({ userId: 'u1', sessionId: 'taken', title: 'keep me' });
    const input = [exportLine('u1', 'new', [message(1)]), exportLine('u1', 'taken', [message(1)])].join('\n');

    const refused = await cli(['import', target.url], { input });
    expect(refused.code).toBe(8);
    expect(refused.stderr).toMatch(/line 2: session "taken" of user "u1" already exists/);
    expect(await target.engine.count('sessions')).toBe(1);

    const skipped = await cli(['import', target.url, '--on-conflict', 'skip', '--json'], { input });
    expect(skipped.code).toBe(0);
    expect(JSON.parse(skipped.stdout)).toMatchObject({ ok: true, sessions: 1, messages: 1, skipped: 1 });
    expect((await target.engine.getSession({ userId: 'u1', sessionId: 'taken' }))!.title).toBe('keep me');
    expect(await target.engine.readMessages({ userId: 'u1', sessionId: 'new' })).toHaveLength(1);
  });

  it('validates without writing under --dry-run', async () => {
    const target = await memoryStore();
    const result = await cli(['import', target.url, '--dry-run'], { input: [exportLine('u', 'a', [message(1), message(2)]), exportLine('u', 'b')].join('\n') });

    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/would import 2 sessions and 2 messages; all lines are valid/);
    expect(await target.engine.count('sessions')).toBe(0);
  });

  it('reads a file named on the command line, tolerating a BOM, CRLF line ends and blank lines', async () => {
    const target = await memoryStore();
    const dir = await mkdtemp(join(tmpdir(), 'sessions-cli-'));
    dirs.push(dir);
    const file = join(dir, 'in.jsonl');
    await writeFile(file, `\uFEFF${exportLine('u', 'a', [message(1)])}\r\n\r\n${exportLine('u', 'b')}\r\n`);

    const result = await cli(['import', target.url, file, '--json']);

    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ sessions: 2, messages: 1, lines: 3 });
  });

  it('keeps a message seq gap and lastSeq through import, so seq values are never reused', async () => {
    const target = await memoryStore();
    await cli(['import', target.url], { input: exportLine('u', 'gap', [message(4), message(7)], { lastSeq: 9 }) });

    const appended = await target.manager.append({ userId: 'u', sessionId: 'gap' }, { role: 'user', content: 'next' });

    expect(appended[0]!.seq).toBe(10);
    expect((await target.engine.readMessages({ userId: 'u', sessionId: 'gap' })).map((m) => m.seq)).toEqual([4, 7, 10]);
  });
});
