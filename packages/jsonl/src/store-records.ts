import type { Message, Session } from '@sessions/core';
import type { ResolvedFilter } from '@sessions/core/engine';
import { keyHints } from './key-hints.js';
import { readMessages } from './read-messages.js';
import { scanSessions, type ScannedSession } from './session-scan.js';
import type { StoreFiles } from './store-files.js';

/** The session files a filter can match, by the user and session ids it pins (all of them when it pins none). */
export function scanFor(files: StoreFiles, where: ResolvedFilter): Promise<ScannedSession[]> {
  return scanSessions(files.layout, files.sessions, keyHints(where));
}

/** The sessions a filter can match, for an in-process query. */
export async function sessionsFor(files: StoreFiles, where: ResolvedFilter): Promise<Session[]> {
  return (await scanFor(files, where)).map(({ stored }) => stored.session);
}

/** The messages of every session a filter can match, for an in-process query. */
export async function messagesFor(files: StoreFiles, where: ResolvedFilter): Promise<Message[]> {
  const messages: Message[] = [];
  for (const { paths, stored } of await scanFor(files, where)) {
    if (stored.session.messageCount === 0) continue;
    for (const message of await readMessages(files, paths, stored.session, {})) messages.push(message);
  }
  return messages;
}
