import { and, eq, gt, like, SessionManager, type Engine } from '@sessions/core';

/**
 * Exercises every engine operation (every script, every read path) for the given users,
 * with ids full of the characters key escaping must handle.
 */
export async function fullWorkload(engine: Engine, users: readonly string[]): Promise<void> {
  let now = Date.now();
  const manager = new SessionManager({ engine, clock: () => now, lockTtlMs: 5_000, heartbeatMs: 1_000 });
  for (const [i, userId] of users.entries()) {
    const key = { userId, sessionId: `s:{${i}}%` };
    await manager.create({ ...key, title: 'first', metadata: { channel: 'web' }, messages: [{ role: 'system', content: 'rules' }] });
    await manager.create({ userId, sessionId: `ttl-${i}`, ttlMs: 60_000, messages: [{ role: 'user', content: 'short-lived' }] });
    await manager.append(key, [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: [{ type: 'text', text: 'hello 😀' }] },
    ]);
    await manager.append(key, { role: 'user', content: 'taken back' });
    await manager.truncate(key, { afterSeq: 3 });
    await manager.run(key, async ({ append, setState }) => {
      await append({ role: 'user', content: 'inside a run' });
      await setState({ step: i });
    });
    const lease = await manager.acquire(key);
    await manager.renew(lease);
    await manager.update(key, { title: 'renamed', ttlMs: 3_600_000 }, { lease });
    await manager.release(lease);
    await manager.update(key, { ttlMs: null });
    await manager.messages(key, { last: 2 });
    await manager.messages(key, { afterSeq: 1, limit: 1 });
    await manager.list({ userId, where: like('title', 're%') });
    await manager.list({ userId, orderBy: { field: 'createdAt', direction: 'asc' } });
    const fork = await manager.fork(key, { upToSeq: 2, sessionId: `fork:${i}` });
    const exported = await manager.export(fork);
    await manager.import({ ...exported, session: { ...exported.session, sessionId: `imported{${i}}` } });
    await manager.archive(fork);
    await manager.clear(fork);
    await manager.delete({ userId, sessionId: `imported{${i}}` });
    await engine.update('messages', {
      where: and(eq('userId', userId), eq('sessionId', key.sessionId), eq('role', 'user')),
      set: { metadata: { seen: true } },
    });
  }
  await engine.listLeases();
  await engine.listLeases({ userId: users[0]!, held: false, after: { userId: users[0]!, sessionId: 'a' }, limit: 5 });
  await engine.findMany('sessions', { where: gt('updatedAt', new Date(0)), orderBy: [{ field: 'title', direction: 'desc' }], limit: 3 });
  await engine.count('messages', { where: eq('role', 'assistant') });
  await engine.update('sessions', { where: eq('status', 'archived'), set: { status: 'active', updatedAt: new Date(now) } });
  await engine.delete('sessions', { where: like('sessionId', 'fork:%') });
  now += 120_000;
  await manager.deleteExpired();
}
