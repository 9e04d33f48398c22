import { runScript } from '../scripts/commands.js';
import type { ScriptReply } from '../script-reply.js';
import { allUsers, mapLimit, pipelineResults, type Store } from '../store.js';

const CONCURRENT_USERS = 8;

/**
 * Deletes every session whose expiresAt is at or before `now`, user by user: the user's
 * expiry index gives the candidates and one pipeline of delete scripts (each re-checking
 * expiresAt on the stored session) removes them. Sessions Redis already dropped on its own
 * are not counted; their index entries are cleaned up on the way.
 */
export async function deleteExpired(store: Store, now: Date): Promise<number> {
  const cutoff = String(now.getTime());
  const counts = await mapLimit(await allUsers(store), CONCURRENT_USERS, async (userId) => {
    const userKeys = store.keys.user(userId);
    const ids = await store.client.zrange(userKeys.byExpiresAt, '-inf', cutoff, 'BYSCORE');
    const pipeline = store.client.pipeline();
    for (const sessionId of ids)
      runScript(pipeline, 'sessionsV1Delete', store.keys.scriptKeys({ userId, sessionId }), [sessionId, '0', '', '', '', cutoff, '']);
    runScript(pipeline, 'sessionsV1ForgetUser', [userKeys.byId, userKeys.registered], []);
    const replies = pipelineResults(await pipeline.exec());
    const forgotten = replies.pop() === 1;
    if (forgotten) await forgetUser(store, userId);
    return (replies as ScriptReply[]).filter((reply) => reply[0] === 'OK' && reply[1] === 1).length;
  });
  return counts.reduce((sum, count) => sum + count, 0);
}

/**
 * Removes a user with no sessions left from the global user set. The set lives in another
 * slot, so this cannot be one script; instead: FORGET_USER dropped the user's marker in the
 * user's slot (only if the user had no session), now SREM, then look again. A create that
 * ran after FORGET_USER found the marker missing and re-adds the user after its own script;
 * one that ran before SREM is seen by the second look, which re-adds the user. Either way a
 * user with a session ends up in the set.
 */
async function forgetUser(store: Store, userId: string): Promise<void> {
  const userKeys = store.keys.user(userId);
  await store.client.srem(store.keys.users, userId);
  const [marker, count] = pipelineResults(await store.client.pipeline().exists(userKeys.registered).zcard(userKeys.byId).exec()) as [number, number];
  if (marker > 0 || count > 0) await store.client.sadd(store.keys.users, userId);
}
