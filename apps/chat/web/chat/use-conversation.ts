import { useChat } from '@ai-sdk/react';
import { DefaultChatTransport, type UIMessage } from 'ai';
import { useMemo } from 'react';
import { userHeaders } from '../api.js';

/**
 * The `useChat` call. The transport sends only the new message (`prepareSendMessagesRequest`):
 * the server reads the rest of the conversation from the store, so a page cannot rewrite
 * history. `resume: true` reattaches to a reply in flight after a reload
 * (`GET /api/chat/:id/stream`, see src/routes/chat-routes.ts).
 */
export function useConversation(user: string, sessionId: string, initialMessages: UIMessage[], onFinish: (message: UIMessage) => void) {
  const transport = useMemo(
    () =>
      new DefaultChatTransport({
        api: '/api/chat',
        headers: () => userHeaders(user),
        prepareSendMessagesRequest: ({ id, messages }) => ({ body: { id, message: messages.at(-1) } }),
      }),
    [user],
  );
  return useChat({
    id: sessionId,
    messages: initialMessages,
    transport,
    resume: true,
    onFinish: ({ message }) => onFinish(message),
  });
}
