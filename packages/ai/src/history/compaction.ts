import type { Message, MessageInput, SessionKey } from '@sessions/core';
import type { ModelMessage } from 'ai';

export interface CompactInput {
  readonly key: SessionKey;
  /** The summary in force so far (it covers everything before `messages`); null for the first. */
  readonly summary: string | null;
  /** The messages that left the history window since that summary, oldest first. */
  readonly messages: ModelMessage[];
  /** The same messages as stored (with seq, id and createdAt). */
  readonly stored: Message[];
  /** Aborts if the turn is aborted or the session's lease is lost. */
  readonly signal: AbortSignal;
}

/**
 * Summarises what left the history window, so the model still knows it. Return the new
 * summary (it replaces the previous one, which it should fold in), or null to postpone (the
 * messages stay out of the prompt, and are offered again, with the next ones, on the next turn).
 *
 * The summary is appended to the session, together with the turn's first messages, as a
 * `system` message with `metadata.compaction = { upToSeq }`: stored history is never deleted,
 * and `sessions.messages(key)` shows every summary. The agent sends the latest one as a system
 * message, after the system prompt, in place of the messages it covers.
 *
 * @example
 * compact: async ({ summary, messages }) => {
 *   const { text } = await generateText({ model, system: 'Summarise this conversation.', messages: [
 *     ...(summary ? [{ role: 'user', content: `Summary so far: ${summary}` }] : []), ...messages] })
 *   return text
 * }
 */
export type CompactHook = (input: CompactInput) => Promise<string | null | undefined> | string | null | undefined;

/** The stored record of a summary that covers every message up to `upToSeq`. */
export function compactionRecord(text: string, upToSeq: number, runId: string, agentId?: string): MessageInput {
  return {
    role: 'system',
    content: text,
    runId,
    ...(agentId === undefined ? {} : { agentId }),
    metadata: { compaction: { upToSeq } },
  };
}
