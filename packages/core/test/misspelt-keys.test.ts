import { describe, expect, it } from 'vitest';
import { and, eq, MemoryEngine, SessionManager, ValidationError, type HeldLease, type SessionExport, type SessionKey } from '../src/index.js';
import { memoryManager } from './support/memory-manager.js';

interface Fixture {
  sessions: SessionManager;
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

/** Every public method taking an options object, with one misspelt key in it. */
const CASES: Case[] = [
  { method: 'new SessionManager()', path: 'options', typo: 'lockTtlMS', suggestion: 'lockTtlMs', call: (f, t) => new SessionManager(loose({ engine: f.sessions.engine, ...t })) },
  { method: 'new SessionManager()', path: 'options.limits', typo: 'maxMessageByte', suggestion: 'maxMessageBytes', call: (f, t) => new SessionManager(loose({ engine: f.sessions.engine, limits: t })) },
  { method: 'create()', path: 'input', typo: 'sesionId', suggestion: 'sessionId', call: (f, t) => f.sessions.create(loose({ userId: 'u', ...t })) },
  { method: 'create()', path: 'input.messages[0]', typo: 'nmae', suggestion: 'name', call: (f, t) => f.sessions.create(loose({ userId: 'u', messages: [{ ...message, ...t }] })) },
  { method: 'getOrCreate()', path: 'input', typo: 'titel', suggestion: 'title', call: (f, t) => f.sessions.getOrCreate(loose({ ...f.key, ...t })) },
  { method: 'list()', path: 'options', typo: 'wher', suggestion: 'where', call: (f, t) => f.sessions.list(loose({ userId: 'u', ...t })) },
  { method: 'update()', path: 'input', typo: 'titel', suggestion: 'title', call: (f, t) => f.sessions.update(f.key, loose({ title: 'x', ...t })) },
  { method: 'update()', path: 'options', typo: 'expectedVerison', suggestion: 'expectedVersion', call: (f, t) => f.sessions.update(f.key, { title: 'x' }, loose(t)) },
  { method: 'setState()', path: 'options', typo: 'replce', suggestion: 'replace', call: (f, t) => f.sessions.setState(f.key, { a: 1 }, loose(t)) },
  { method: 'append()', path: 'options', typo: 'leas', suggestion: 'lease', call: (f, t) => f.sessions.append(f.key, message, loose(t)) },
  { method: 'append()', path: 'messages[0]', typo: 'toolCallID', suggestion: 'toolCallId', call: (f, t) => f.sessions.append(f.key, loose({ ...message, ...t })) },
  { method: 'messages()', path: 'query', typo: 'lst', suggestion: 'last', call: (f, t) => f.sessions.messages(f.key, loose(t)) },
  { method: 'clear()', path: 'options', typo: 'leas', suggestion: 'lease', call: (f, t) => f.sessions.clear(f.key, loose(t)) },
  { method: 'truncate()', path: 'input', typo: 'afterseq', suggestion: 'afterSeq', call: (f, t) => f.sessions.truncate(f.key, loose({ afterSeq: 0, ...t })) },
  { method: 'truncate()', path: 'options', typo: 'leas', suggestion: 'lease', call: (f, t) => f.sessions.truncate(f.key, { afterSeq: 0 }, loose(t)) },
  { method: 'fork()', path: 'options', typo: 'uptoSeq', suggestion: 'upToSeq', call: (f, t) => f.sessions.fork(f.key, loose(t)) },
  { method: 'archiveInactive()', path: 'options', typo: 'userid', suggestion: 'userId', call: (f, t) => f.sessions.archiveInactive(loose({ olderThan: 0, ...t })) },
  { method: 'delete()', path: 'options', typo: 'leas', suggestion: 'lease', call: (f, t) => f.sessions.delete(f.key, loose(t)) },
  { method: 'import()', path: 'options', typo: 'onconflict', suggestion: 'onConflict', call: (f, t) => f.sessions.import(f.exported, loose(t)) },
  { method: 'acquire()', path: 'options', typo: 'waitMS', suggestion: 'waitMs', call: (f, t) => f.sessions.acquire(f.key, loose(t)) },
  { method: 'run()', path: 'options', typo: 'histroy', suggestion: 'history', call: (f, t) => f.sessions.run(f.key, () => 'ran', loose(t)) },
  { method: 'run()', path: 'options.history', typo: 'lats', suggestion: 'last', call: (f, t) => f.sessions.run(f.key, () => 'ran', loose({ history: t })) },

  { method: 'setup()', path: 'options', typo: 'signl', suggestion: 'signal', call: (f, t) => f.sessions.engine.setup(loose(t)) },
  { method: 'storedSchemaVersion()', path: 'options', typo: 'signl', suggestion: 'signal', call: (f, t) => f.sessions.engine.storedSchemaVersion(loose(t)) },
  { method: 'findOne()', path: 'query', typo: 'wher', suggestion: 'where', call: (f, t) => f.sessions.engine.findOne('sessions', loose(t)) },
  { method: 'findMany()', path: 'query', typo: 'wher', suggestion: 'where', call: (f, t) => f.sessions.engine.findMany('sessions', loose(t)) },
  { method: 'count()', path: 'query', typo: 'wher', suggestion: 'where', call: (f, t) => f.sessions.engine.count('sessions', loose(t)) },
  { method: 'update()', path: 'query', typo: 'wher', suggestion: 'where', call: (f, t) => f.sessions.engine.update('sessions', loose({ where: eq('userId', 'nobody'), set: { title: 'x' }, ...t })) },
  { method: 'delete()', path: 'query', typo: 'wher', suggestion: 'where', call: (f, t) => f.sessions.engine.delete('sessions', loose({ where: eq('userId', 'nobody'), ...t })) },
  { method: 'updateSession()', path: 'options', typo: 'expectedVerison', suggestion: 'expectedVersion', call: (f, t) => f.sessions.engine.updateSession(f.key, { updatedAt: now() }, loose(t)) },
  { method: 'appendMessages()', path: 'options', typo: 'leas', suggestion: 'lease', call: (f, t) => f.sessions.engine.appendMessages(f.key, [], loose(t)) },
  { method: 'readMessages()', path: 'range', typo: 'lst', suggestion: 'last', call: (f, t) => f.sessions.engine.readMessages(f.key, loose(t)) },
  { method: 'clearMessages()', path: 'options', typo: 'liveat', suggestion: 'liveAt', call: (f, t) => f.sessions.engine.clearMessages(f.key, loose({ updatedAt: now(), ...t })) },
  { method: 'truncateMessages()', path: 'options', typo: 'liveat', suggestion: 'liveAt', call: (f, t) => f.sessions.engine.truncateMessages(f.key, loose({ afterSeq: 0, updatedAt: now(), ...t })) },
  { method: 'deleteSession()', path: 'options', typo: 'leas', suggestion: 'lease', call: (f, t) => f.sessions.engine.deleteSession(f.key, loose(t)) },
  { method: 'acquireLease()', path: 'input', typo: 'ttlMS', suggestion: 'ttlMs', call: (f, t) => f.sessions.engine.acquireLease(f.key, loose({ owner: 'o', ttlMs: 1_000, ...t })) },
  { method: 'renewLease()', path: 'input', typo: 'ttlMS', suggestion: 'ttlMs', call: (f, t) => f.sessions.engine.renewLease(f.lease, loose({ ttlMs: 1_000, ...t })) },
  { method: 'listLeases()', path: 'query', typo: 'helds', suggestion: 'held', call: (f, t) => f.sessions.engine.listLeases(loose(t)) },
];

async function fixture(): Promise<Fixture> {
  const sessions = await memoryManager();
  const key = await sessions.create({ userId: 'u', messages: [message] });
  const exported = await sessions.export(key);
  const other = await sessions.create({ userId: 'u' });
  const lease = await sessions.acquire(other, { owner: 'holder' });
  return { sessions, key: { userId: key.userId, sessionId: key.sessionId }, lease, exported };
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
    { ...c, value: undefined as unknown, shown: 'undefined' },
    { ...c, value: 1 as unknown, shown: 'a value' },
  ]);

  it.each(rows)('$method refuses "$typo" set to $shown at $path', async ({ method, path, typo, suggestion, call, value }) => {
    const f = await fixture();
    const before = await f.sessions.engine.findMany('sessions', {});
    const error = await refusal(() => call(f, { [typo]: value }));
    expect(error.path).toBe(path);
    expect(error.message).toContain(method);
    expect(error.message).toContain(`"${typo}"`);
    if (suggestion) expect(error.message).toContain(`did you mean "${suggestion}"?`);
    // Nothing was written, and nothing was left locked.
    expect(await f.sessions.engine.findMany('sessions', {})).toEqual(before);
    expect(await f.sessions.run(f.key, () => 'free')).toBe('free');
  });

  it('names no suggestion when no known key is close', async () => {
    const f = await fixture();
    const error = await refusal(() => f.sessions.list(loose({ userId: 'u', zzz: 1 })));
    expect(error.message).toBe('[sessions] options: unknown option "zzz" for list(); it takes userId, where, orderBy, limit, cursor, includeArchived');
  });

  it('still accepts known keys set to undefined, so optional values can be spread in', async () => {
    const f = await fixture();
    const engine = f.sessions.engine;
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
