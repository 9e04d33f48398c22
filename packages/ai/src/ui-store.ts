import { ValidationError, type SessionKey, type SessionManager } from '@sessions/core';
import { describeType, isPlainObject } from '@sessions/core/engine';
import type { UIMessage } from 'ai';
import { jsonEqual, toJsonValue } from './convert/json-safe.js';
import { fromUIMessages, groupUIMessages, toUIMessages } from './convert/ui-messages.js';
import { assertSessionKey, assertSessionManager } from './session-manager-check.js';
import { appendInBatches } from './turn/append-in-batches.js';

/**
 * The session's messages as `UIMessage`s, for `useChat` (`initialMessages` / `messages`).
 * An empty list when the session does not exist.
 *
 * @example
 * const messages = await loadUIMessages(sessions, { userId, sessionId: chatId })
 */
export async function loadUIMessages(sessions: SessionManager, key: SessionKey): Promise<UIMessage[]> {
  assertSessionManager(sessions, 'sessions');
  assertSessionKey(key, 'key');
  if (!(await sessions.get(key))) return [];
  return toUIMessages(await sessions.messages(key));
}

export interface SaveUIMessagesOptions {
  /** Wait this long for a busy session instead of failing with `LockHeldError`. Default 0. */
  waitMs?: number;
  signal?: AbortSignal;
}

export interface SaveUIMessagesResult {
  /** How many UI messages were written. */
  written: number;
  /**
   * True when the stored conversation was not a prefix of the given one (a regenerated or
   * edited message, a tool result added to an earlier message), so it was replaced.
   */
  replaced: boolean;
}

/**
 * Makes the session's messages equal to `messages`, the full list `useChat` holds (created
 * when missing). Under the session's lease: when the stored messages are a prefix of the
 * list, only the new ones are appended (one atomic append); when an earlier message changed,
 * the stored messages after the unchanged prefix are removed (one atomic truncate) and the rest
 * of the list is appended. The unchanged messages are never rewritten: they keep their seq, id
 * and timestamps. `loadUIMessages` then returns exactly `messages`.
 *
 * The rewrite is two writes under one lease: a process that dies between them leaves the
 * unchanged prefix (never less) until the next save, which the client's copy completes.
 *
 * @example
 * return result.toUIMessageStreamResponse({
 *   originalMessages: messages,
 *   onFinish: ({ messages }) => saveUIMessages(sessions, { userId, sessionId: chatId }, messages),
 * })
 */
export async function saveUIMessages(
  sessions: SessionManager,
  key: SessionKey,
  messages: readonly UIMessage[],
  options: SaveUIMessagesOptions = {},
): Promise<SaveUIMessagesResult> {
  assertSessionManager(sessions, 'sessions');
  assertSessionKey(key, 'key');
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- widening keeps isPlainObject's guard from narrowing RunOptions away
  if (!isPlainObject(options as unknown)) throw new ValidationError(`expected { waitMs?, signal? }, got ${describeType(options)}`, { path: 'options' });
  const inputs = fromUIMessages(messages);
  const wanted = messages.map((message, i) => toJsonValue(message, `messages[${i}]`));
  await sessions.getOrCreate({ userId: key.userId, sessionId: key.sessionId });
  return sessions.run(
    key,
    async ({ history, append, truncate }) => {
      const stored = groupUIMessages(history);
      let same = 0;
      while (same < stored.length && same < wanted.length && jsonEqual(toJsonValue(stored[same]!.ui, 'stored'), wanted[same])) same++;
      if (same < stored.length) {
        // Everything after the unchanged prefix goes in one atomic step; the prefix stays as stored.
        await truncate(same === 0 ? 0 : stored[same - 1]!.messages.at(-1)!.seq);
      }
      await appendInBatches(append, inputs.slice(same), sessions.limits.maxMessagesPerAppend);
      return { written: inputs.length - same, replaced: same < stored.length };
    },
    // Only what the caller may choose: the save itself needs the loaded history.
    { ...(options.waitMs === undefined ? {} : { waitMs: options.waitMs }), ...(options.signal === undefined ? {} : { signal: options.signal }) },
  );
}
