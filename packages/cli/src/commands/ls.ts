import { eq } from '@sessions/core';
import type { Command } from '../command.js';
import { parsePositiveInt } from '../duration.js';
import { cell, sessionToJson, shortTime } from '../format.js';
import { formatCount } from '../progress.js';
import { scanSessions } from '../scan.js';
import { combine, notExpired, selectionFilter, SELECTION_HELP, SELECTION_OPTIONS } from '../selection.js';

const PAGE_SIZE = 500;

export const lsCommand: Command = {
  name: 'ls',
  summary: 'list sessions (all users, or one), in user and session id order',
  usage: 'sessions ls <url> [--user U] [--where <filter JSON>] [--archived] [--expired] [--limit N] [--json]',
  help: `Lists sessions that SessionManager would return: active and unexpired, unless
--archived or --expired widen it. Streams: a store of any size lists in constant memory.

Options:
${SELECTION_HELP}
  --archived              include archived sessions
  --expired               include sessions whose TTL has passed (not yet deleted)
  --limit <n>             stop after n sessions
  --json                  one JSON object per line (JSON Lines), timestamps in ISO 8601

Examples:
  sessions ls sqlite:./sessions.db --user alice
  sessions ls postgres://app@db/app --where '{"op":"like","field":"title","value":"%invoice%"}' --json | jq .sessionId`,
  options: {
    ...SELECTION_OPTIONS,
    archived: { type: 'boolean' },
    expired: { type: 'boolean' },
    limit: { type: 'string', short: 'n' },
  },
  positionals: ['url'],
  async run(context) {
    const { options, global } = context;
    const limit = typeof options['limit'] === 'string' ? parsePositiveInt(options['limit'], '--limit') : Number.POSITIVE_INFINITY;
    const where = combine(
      selectionFilter(options),
      options['archived'] === true ? undefined : eq('status', 'active'),
      options['expired'] === true ? undefined : notExpired(context.now()),
    );
    const { engine } = await context.open(context.positionals[0]!, { mustExist: true });
    let shown = 0;
    let widths: { user: number; session: number } | undefined;
    for await (const page of scanSessions(engine, { where, pageSize: Math.min(PAGE_SIZE, limit), signal: context.signal })) {
      const rows = page.slice(0, limit - shown);
      if (global.json) {
        await context.out(rows.map((session) => `${JSON.stringify(sessionToJson(session))}\n`).join(''));
      } else {
        // Column widths come from the first page, so the table streams without a second pass.
        widths ??= {
          user: clamp(Math.max(4, ...rows.map((session) => [...session.userId].length)), 24),
          session: clamp(Math.max(7, ...rows.map((session) => [...session.sessionId].length)), 40),
        };
        if (shown === 0) await context.out(`${cell('USER', widths.user)}  ${cell('SESSION', widths.session)}  STATUS    MSGS  UPDATED               TITLE\n`);
        const w = widths;
        await context.out(
          rows
            .map(
              (session) =>
                `${cell(session.userId, w.user)}  ${cell(session.sessionId, w.session)}  ${cell(session.status, 8)}  ${String(session.messageCount).padStart(4)}  ${cell(shortTime(session.updatedAt), 20)}  ${cell(session.title ?? '', 60).trimEnd()}\n`,
            )
            .join(''),
        );
      }
      shown += rows.length;
      if (shown >= limit) break;
    }
    if (!global.json)
      context.note(shown === 0 ? 'no sessions match' : `${formatCount(shown)} session${shown === 1 ? '' : 's'}${shown >= limit ? ' (--limit reached)' : ''}`);
  },
};

function clamp(value: number, max: number): number {
  return Math.min(value, max);
}
