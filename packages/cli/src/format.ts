import { type ExportedMessage, type JsonValue, type Message, type Session } from '@sessions/core';
import { toExport, toExportedMessage } from '@sessions/core/engine';

/** A session as the CLI prints it in `--json` output: timestamps as ISO 8601 strings. */
export interface SessionJson {
  userId: string;
  sessionId: string;
  title: string | null;
  metadata: Session['metadata'];
  state: Session['state'];
  status: Session['status'];
  createdAt: string;
  updatedAt: string;
  expiresAt: string | null;
  parentSessionId: string | null;
  parentSeq: number | null;
  messageCount: number;
  lastSeq: number;
  version: number;
}

export function sessionToJson(session: Session): SessionJson {
  return {
    userId: session.userId,
    sessionId: session.sessionId,
    title: session.title,
    metadata: session.metadata,
    state: session.state,
    status: session.status,
    createdAt: session.createdAt.toISOString(),
    updatedAt: session.updatedAt.toISOString(),
    expiresAt: session.expiresAt?.toISOString() ?? null,
    parentSessionId: session.parentSessionId,
    parentSeq: session.parentSeq,
    messageCount: session.messageCount,
    lastSeq: session.lastSeq,
    version: session.version,
  };
}

/** A message in the export format's shape, so `show --json` and `export` agree. */
export const messageToJson: (message: Message) => ExportedMessage = toExportedMessage;

/**
 * The opening of a session's export line, up to and including `"messages":[`, so the
 * messages can be streamed after it one by one. Built from core's `toExport` so the format
 * stays core's.
 */
export function exportLineHead(session: Session): string {
  const text = JSON.stringify(toExport(session, []));
  const tail = '[]}';
  if (!text.endsWith(tail)) throw new Error('internal: the export format no longer ends with its messages array');
  return text.slice(0, -tail.length + 1);
}

// Everything a terminal might interpret, except newline and tab.
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Makes stored text safe to print on a terminal: control characters become visible escapes. */
export function safeText(text: string): string {
  return text.replace(TERMINAL_CONTROL, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** One line of text for a table cell: newlines shown as ⏎, cut to `width` code points. */
export function cell(text: string, width: number): string {
  const flat = safeText(text).replace(/\r?\n|\t/g, ' ');
  const chars = [...flat];
  const cut = chars.length > width ? `${chars.slice(0, Math.max(0, width - 1)).join('')}…` : flat;
  return cut + ' '.repeat(Math.max(0, width - Math.min(chars.length, width)));
}

/** Message content for people: text as is, text parts joined, other parts as compact JSON. */
export function renderContent(content: Message['content']): string {
  if (typeof content === 'string') return safeText(content);
  return content
    .map((part: JsonValue) => {
      if (part !== null && typeof part === 'object' && !Array.isArray(part) && part['type'] === 'text' && typeof part['text'] === 'string') {
        return safeText(part['text']);
      }
      return safeText(JSON.stringify(part));
    })
    .join('\n');
}

export function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');
}

/** `2026-01-31 12:00:00Z`: second precision is enough on screen; --json keeps milliseconds. */
export function shortTime(date: Date | null): string {
  return date === null
    ? '-'
    : date
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d{3}Z$/, 'Z');
}
