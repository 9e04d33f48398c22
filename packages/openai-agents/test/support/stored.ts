import type { Message, MessageInput } from '@sessions/core';
import { testMessage } from '@sessions/core/testing';

/** A message as a store would give `input` back: through JSON, with a seq (and the id `msg_<seq>`). */
export function stored(input: MessageInput, seq: number): Message {
  const json = JSON.parse(JSON.stringify(input)) as MessageInput;
  return testMessage(
    { userId: 'u', sessionId: 's' },
    {
      seq,
      id: `msg_${seq}`,
      role: json.role,
      content: json.content,
      name: json.name ?? null,
      toolCalls: json.toolCalls ?? null,
      toolCallId: json.toolCallId ?? null,
      agentId: json.agentId ?? null,
      runId: json.runId ?? null,
      metadata: json.metadata ?? {},
      createdAt: new Date(0),
    },
  );
}
