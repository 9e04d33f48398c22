import type { UIMessage } from 'ai';

/** A conversation as the list shows it (see sessionSummary in src/routes/session-routes.ts). */
export interface SessionSummary {
  sessionId: string;
  title: string;
  preview: string;
  updatedAt: string;
  status: 'active' | 'archived';
  messageCount: number;
  parentSessionId: string | null;
}

export interface AppInfo {
  model: string;
  store: string;
  maxImportBytes: number;
  maxMessageChars: number;
}

/** An answer the server refused, with the message it wrote for people. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Headers that say who is using the page; headers carry ASCII only, so the name is percent-encoded. */
export const userHeaders = (user: string) => ({ 'x-chat-user': encodeURIComponent(user) });

export async function api<T>(user: string, path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: init.method ?? 'GET',
      headers: { ...userHeaders(user), ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(init.body === undefined ? {} : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
      ...(init.signal ? { signal: init.signal } : {}),
    });
  } catch (error) {
    if (init.signal?.aborted) throw error;
    throw new ApiError(0, 'OFFLINE', 'Cannot reach the server. It may be restarting; try again in a moment.');
  }
  const text = await response.text();
  if (!response.ok) throw errorFromBody(response.status, text);
  return (text ? JSON.parse(text) : {}) as T;
}

/** The server's JSON error, or a plain sentence when the body is not one. */
export function errorFromBody(status: number, text: string): ApiError {
  try {
    const body = JSON.parse(text) as { code?: string; message?: string };
    if (body.message) return new ApiError(status, body.code ?? 'ERROR', body.message);
  } catch {
    // not JSON: fall through
  }
  return new ApiError(status, 'ERROR', text || `The server answered ${status}.`);
}

export interface Conversation {
  session: SessionSummary;
  messages: UIMessage[];
}
