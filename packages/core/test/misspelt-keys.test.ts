import { describe, expect, it } from 'vitest';
import { and, eq, MemoryEngine, SessionManager, ValidationError, type HeldLease, type SessionExport, type SessionKey } from '../src/index.js';
import { memoryManager } from './support/memory-manager.js';

interface Fixture {
  sessions: SessionManager;
  engine: SessionManager['engine'];
  key: SessionKey;
  lease: HeldLease;
  exported: SessionExport;
}

interface Case {
  /** The method as the message names it. */
  method: string;
  /** Where the misspelt key sits. */
  path: string;
  /** The key as misspelt, and the known key the message suggests (if one is close). */
  typo: string;
  suggestion?: string;
  call: (f: Fixture, typo: Record<string, unknown>) => unknown;
}

const message = { role: 'user', content: 'hi' } as const;
const now = () => new Date();
const loose = (value: object): never => value as never;

const row = (method: string, path: string, typo: string, suggestion: string, call: Case['call']): Case => ({ method, path, typo, suggestion, call });

/** Every public method taking an options object, with one misspelt key: the method as named, where the key sits, the typo, the key meant. */
const CASES: Case[] = [
  row('new SessionManager()', 'options', 'lockTtlMS', 'lockTtlMs', (f, t) => new SessionManager(loose({ engine: f.engine, ...t }))),
  row('new SessionManager()', 'options.limits', 'maxMessageByte', 'maxMessageBytes', (f, t) => new SessionManager(loose({ engine: f.engine, limits: t }))),
  row('create()', 'input', 'sesionId', 'sessionId', (f, t) => f.sessions.create(loose({ userId: 'u', ...t }))),
  row('create()', 'input.messages[0]', 'nmae', 'name', (f, t) => f.sessions.create(loose({ userId: 'u', messages: [{ ...message, ...t }] }))),
  row('getOrCreate()', 'input', 'titel', 'title', (f, t) => f.sessions.getOrCreate(loose({ ...f.key, ...t }))),
  row('list()', 'options', 'wher', 'where', (f, t) => f.sessions.list(loose({ userId: 'u', ...t }))),
  row('update()', 'input', 'titel', 'title', (f, t) => f.sessions.update(f.key, loose({ title: 'x', ...t }))),
  row('update()', 'options', 'expectedVerison', 'expectedVersion', (f, t) => f.sessions.update(f.key, { title: 'x' }, loose(t))),
  row('setState()', 'options', 'replce', 'replace', (f, t) => f.sessions.setState(f.key, { a: 1 }, loose(t))),
  row('append()', 'options', 'leas', 'lease', (f, t) => f.sessions.append(f.key, message, loose(t))),
  row('append()', 'messages[0]', 'toolCallID', 'toolCallId', (f, t) => f.sessions.append(f.key, loose({ ...message, ...t }))),
  row('messages()', 'query', 'lst', 'last', (f, t) => f.sessions.messages(f.key, loose(t))),
  row('clear()', 'options', 'leas', 'lease', (f, t) => f.sessions.clear(f.key, loose(t))),
  row('truncate()', 'input', 'afterseq', 'afterSeq', (f, t) => f.sessions.truncate(f.key, loose({ afterSeq: 0, ...t }))),
  row('truncate()', 'options', 'leas', 'lease', (f, t) => f.sessions.truncate(f.key, { afterSeq: 0 }, loose(t))),
  row('fork()', 'options', 'uptoSeq', 'upToSeq', (f, t) => f.sessions.fork(f.key, loose(t))),
  row('archiveInactive()', 'options', 'userid', 'userId', (f, t) => f.sessions.archiveInactive(loose({ olderThan: 0, ...t }))),
  row('delete()', 'options', 'leas', 'lease', (f, t) => f.sessions.delete(f.key, loose(t))),
  row('import()', 'options', 'onconflict', 'onConflict', (f, t) => f.sessions.import(f.exported, loose(t))),
  row('acquire()', 'options', 'waitMS', 'waitMs', (f, t) => f.sessions.acquire(f.key, loose(t))),
  row('run()', 'options', 'histroy', 'history', (f, t) => f.sessions.run(f.key, () => 'ran', loose(t))),
  row('run()', 'options.history', 'lats', 'last', (f, t) => f.sessions.run(f.key, () => 'ran', loose({ history: t }))),

  row('setup()', 'options', 'signl', 'signal', (f, t) => f.engine.setup(loose(t))),
  row('storedSchemaVersion()', 'options', 'signl', 'signal', (f, t) => f.engine.storedSchemaVersion(loose(t))),
  row('findOne()', 'query', 'wher', 'where', (f, t) => f.engine.findOne('sessions', loose(t))),
  row('findMany()', 'query', 'wher', 'where', (f, t) => f.engine.findMany('sessions', loose(t))),
  row('count()', 'query', 'wher', 'where', (f, t) => f.engine.count('sessions', loose(t))),
  row('update()', 'query', 'wher', 'where', (f, t) => f.engine.update('sessions', loose({ where: eq('userId', 'nobody'), set: { title: 'x' }, ...t }))),
  row('delete()', 'query', 'wher', 'where', (f, t) => f.engine.delete('sessions', loose({ where: eq('userId', 'nobody'), ...t }))),
  row('updateSession()', 'options', 'expectedVerison', 'expectedVersion', (f, t) => f.engine.updateSession(f.key, { updatedAt: now() }, loose(t))),
  row('appendMessages()', 'options', 'leas', 'lease', (f, t) => f.engine.appendMessages(f.key, [], loose(t))),
  row('readMessages()', 'range', 'lst', 'last', (f, t) => f.engine.readMessages(f.key, loose(t))),
  row('clearMessages()', 'options', 'liveat', 'liveAt', (f, t) => f.engine.clearMessages(f.key, loose({ updatedAt: now(), ...t }))),
  row('truncateMessages()', 'options', 'liveat', 'liveAt', (f, t) => f.engine.truncateMessages(f.key, loose({ afterSeq: 0, updatedAt: now(), ...t }))),
  row('deleteSession()', 'options', 'leas', 'lease', (f, t) => f.engine.deleteSession(f.key, loose(t))),
  row('acquireLease()', 'input', 'ttlMS', 'ttlMs', (f, t) => f.engine.acquireLease(f.key, loose({ owner: 'o', ttlMs: 1_000, ...t }))),
  row('renewLease()', 'input', 'ttlMS', 'ttlMs', (f, t) => f.engine.renewLease(f.lease, loose({ ttlMs: 1_000, ...t }))),
  row('listLeases()', 'query', 'helds', 'held', (f, t) => f.engine.listLeases(loose(t))),
];

async function fixture(): Promise<Fixture> {
  const sessions = await memoryManager();
  const key = await sessions.create({ userId: 'u', messages: [message] });
  const exported = await sessions.export(key);
  const other = await sessions.create({ userId: 'u' });
  const lease = await sessions.acquire(other, { owner: 'holder' });
  return { sessions, engine: sessions.engine, key: { userId: key.userId, sessionId: key.sessionId }, lease, exported };
}

async function refusal(call: () => unknown): Promise<ValidationError> {
  try {
    await call();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('the call was accepted');
}

describe('a misspelt key is refused by every public method, whatever its value', () => {
  const rows = CASES.flatMap((c) => [
    { ...c, value: undefined, shown: 'undefined' },
    { ...c, value: 1, shown: 'a value' },
  ]);

  it.each(rows)('$method refuses "$typo" set to $shown at $path', async ({ method, path, typo, suggestion, call, value }) => {
    const f = await fixture();
    const before = await f.engine.findMany('sessions', {});
    const error = await refusal(() => call(f, { [typo]: value }));
    expect(error.path).toBe(path);
    expect(error.message).toContain(method);
    expect(error.message).toContain(`"${typo}"`);
    if (suggestion) expect(error.message).toContain(`did you mean "${suggestion}"?`);
    // Nothing was written, and nothing was left locked.
    expect(await f.engine.findMany('sessions', {})).toEqual(before);
    expect(await f.sessions.run(f.key, () => 'free')).toBe('free');
  });

  it('names no suggestion when no known key is close', async () => {
    const f = await fixture();
    const error = await refusal(() => f.sessions.list(loose({ userId: 'u', zzz: 1 })));
    expect(error.message).toBe('[sessions] options: unknown option "zzz" for list(); it takes userId, where, orderBy, limit, cursor, includeArchived');
  });

  it('still accepts known keys set to undefined, so optional values can be spread in', async () => {
    const f = await fixture();
    const engine = f.engine;
    expect((await f.sessions.list({ userId: 'u', where: undefined, cursor: undefined, limit: undefined })).sessions).toHaveLength(2);
    expect(await f.sessions.messages(f.key, { last: undefined })).toHaveLength(1);
    expect(await f.sessions.acquire(f.key, { ttlMs: undefined, owner: undefined, waitMs: undefined, signal: undefined })).toMatchObject({ token: 1 });
    expect(await engine.findMany('sessions', { where: undefined, limit: undefined })).toHaveLength(2);
    expect(await engine.count('sessions', { where: and() })).toBe(2);
    expect(await engine.listLeases({ userId: undefined })).toHaveLength(2);
  });

  it('reports the first unknown key of a real engine instance the same way', async () => {
    const engine = new MemoryEngine();
    const error = await refusal(() => engine.setup(loose({ signl: undefined })));
    expect(error.message).toBe('[sessions] options: unknown option "signl" for setup(); did you mean "signal"? It takes signal');
  });
});
