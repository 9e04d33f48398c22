import { SessionNotFoundError, type Message, type Session } from '@sessions/core';
import { assertId, isExpiredAt } from '@sessions/core/engine';
import type { Command } from '../command.js';
import { parsePositiveInt } from '../duration.js';
import { indent, messageToJson, renderContent, safeText, sessionToJson, shortTime } from '../format.js';
import { scanMessages } from '../scan.js';

const BATCH = 500;

export const showCommand: Command = {
  name: 'show',
  summary: 'print one session and its messages',
  usage: 'sessions show <url> <user> <session> [--last N] [--json]',
  help: `Prints the session's fields and its messages, oldest first. Messages are read in
batches, so a long history streams in constant memory. A session whose TTL has passed
counts as not found (exit 4), as it does for SessionManager.

Options:
  --last <n>              only the newest n messages
  --json                  one JSON object: { "session": {...}, "messages": [...] }, messages in
                          the export format's shape

Example:
  sessions show sqlite:./sessions.db alice chat_1 --last 20`,
  options: {
    last: { type: 'string', short: 'n' },
  },
  positionals: ['url', 'user', 'session'],
  async run(context) {
    const [url, userId, sessionId] = context.positionals as [string, string, string];
    assertId(userId, 'user');
    assertId(sessionId, 'session');
    const last = typeof context.options['last'] === 'string' ? parsePositiveInt(context.options['last'], '--last', { max: 1_000_000 }) : undefined;
    const key = { userId, sessionId };
    const { engine } = await context.open(url, { mustExist: true });
    const session = await engine.getSession(key);
    if (!session || isExpiredAt(session, context.now())) throw new SessionNotFoundError(key);

    const batches =
      last === undefined
        ? scanMessages(engine, key, { beforeSeq: session.lastSeq + 1, batchSize: BATCH, signal: context.signal })
        : single(engine.readMessages(key, { last, beforeSeq: session.lastSeq + 1 }));

    if (context.global.json) {
      await context.out(`{"session":${JSON.stringify(sessionToJson(session))},"messages":[`);
      let first = true;
      for await (const batch of batches) {
        const text = batch.map((message) => JSON.stringify(messageToJson(message))).join(',');
        if (text.length === 0) continue;
        await context.out(`${first ? '' : ','}${text}`);
        first = false;
      }
      await context.out(']}\n');
      return;
    }
    await context.out(describeSession(session));
    let shown = 0;
    for await (const batch of batches) {
      await context.out(batch.map(describeMessage).join(''));
      shown += batch.length;
    }
    if (shown === 0) await context.out('\n(no messages)\n');
  },
};

async function* single(messages: Promise<Message[]>): AsyncGenerator<Message[]> {
  yield await messages;
}

function describeSession(session: Session): string {
  const lines = [
    ['session', `${safeText(session.sessionId)}  (user ${safeText(session.userId)})`],
    ['title', session.title === null ? '-' : safeText(session.title)],
    [
      'status',
      `${session.status} · ${session.messageCount} message${session.messageCount === 1 ? '' : 's'} · last seq ${session.lastSeq} · version ${session.version}`,
    ],
    ['created', `${shortTime(session.createdAt)} · updated ${shortTime(session.updatedAt)} · expires ${shortTime(session.expiresAt)}`],
  ];
  if (session.parentSessionId !== null) lines.push(['forked', `from ${safeText(session.parentSessionId)} at seq ${session.parentSeq ?? '-'}`]);
  lines.push(['metadata', safeText(JSON.stringify(session.metadata))], ['state', safeText(JSON.stringify(session.state))]);
  return `${lines.map(([label, value]) => `${label!.padEnd(9)}${value}`).join('\n')}\n`;
}

function describeMessage(message: Message): string {
  const who = [message.role, message.name && `name ${message.name}`, message.agentId && `agent ${message.agentId}`, message.runId && `run ${message.runId}`]
    .filter(Boolean)
    .map((part) => safeText(String(part)))
    .join(' · ');
  const extra: string[] = [];
  if (message.toolCallId !== null) extra.push(`tool call id: ${safeText(message.toolCallId)}`);
  if (message.toolCalls !== null) extra.push(`tool calls: ${safeText(JSON.stringify(message.toolCalls))}`);
  if (Object.keys(message.metadata).length > 0) extra.push(`metadata: ${safeText(JSON.stringify(message.metadata))}`);
  const body = [renderContent(message.content), ...extra].join('\n');
  return `\n#${message.seq}  ${shortTime(message.createdAt)}  ${who}  (${safeText(message.id)})\n${indent(body, '    ')}\n`;
}
