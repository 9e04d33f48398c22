import { eq, SessionNotFoundError } from '@sessions/core';
import { assertId } from '@sessions/core/engine';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import type { Command } from '../command.js';
import { exportLineHead, messageToJson } from '../format.js';
import { formatCount } from '../progress.js';
import { scanMessages, scanSessions } from '../scan.js';
import { combine, notExpired, selectionFilter, SELECTION_HELP, SELECTION_OPTIONS } from '../selection.js';

const PAGE_SIZE = 200;
const BATCH = 1_000;

export const exportCommand: Command = {
  name: 'export',
  summary: "write sessions as JSON Lines in core's versioned export format",
  usage: 'sessions export <url> [--user U] [--session S] [--where <filter JSON>] > sessions.jsonl',
  help: `Writes one line per session to stdout: core's export format (version 1), which
\`sessions import\` and SessionManager.import read back. Everything matching is exported,
archived sessions included; sessions whose TTL has passed only with --include-expired.
Sessions and their messages are streamed in batches, so a store of any size exports in
constant memory. A summary goes to stderr.

Options:
${SELECTION_HELP}
  -s, --session <id>      only sessions with this id (with --user: exactly one session);
                          exit 4 when there is none
  --include-expired       also export sessions whose TTL has passed but that were not deleted yet

Examples:
  sessions export sqlite:./sessions.db > backup.jsonl
  sessions export postgres://app@db/app --user alice | gzip > alice.jsonl.gz`,
  options: {
    ...SELECTION_OPTIONS,
    session: { type: 'string', short: 's' },
    'include-expired': { type: 'boolean' },
  },
  positionals: ['url'],
  async run(context) {
    const sessionId = context.options['session'];
    if (typeof sessionId === 'string') assertId(sessionId, '--session');
    const where = combine(
      selectionFilter(context.options),
      typeof sessionId === 'string' ? eq('sessionId', sessionId) : undefined,
      context.options['include-expired'] === true ? undefined : notExpired(context.now()),
    );
    const { engine } = await context.open(context.positionals[0]!, { mustExist: true });
    const total = await engine.count('sessions', where === undefined ? {} : { where });
    const progress = context.progress('export', 'sessions', total);
    let sessions = 0;
    let messages = 0;
    for await (const page of scanSessions(engine, { where, pageSize: PAGE_SIZE, signal: context.signal })) {
      for (const session of page) {
        await context.out(exportLineHead(session));
        let first = true;
        // Up to the seq the session had when listed: messages appended meanwhile belong to the next export.
        const batches =
          session.messageCount === 0 ? [] : scanMessages(engine, session, { beforeSeq: session.lastSeq + 1, batchSize: BATCH, signal: context.signal });
        for await (const batch of batches) {
          await context.out(`${first ? '' : ','}${batch.map((message) => JSON.stringify(messageToJson(message))).join(',')}`);
          first = false;
          messages += batch.length;
          progress.update(sessions, `${formatCount(messages)} messages`);
        }
        await context.out(']}\n');
        sessions++;
        progress.update(sessions, `${formatCount(messages)} messages`);
      }
    }
    progress.finish();
    if (typeof sessionId === 'string' && sessions === 0 && context.options['where'] === undefined) {
      // --session names one session (one per user): finding none is a typo or a deleted
      // session, which a script exporting a user's data must not take for an empty export.
      const user = context.options['user'];
      if (typeof user === 'string') throw new SessionNotFoundError({ userId: user, sessionId });
      throw new CliError(
        EXIT.notFound,
        'SESSION_NOT_FOUND',
        `no user has a session ${JSON.stringify(sessionId)}${context.options['include-expired'] === true ? '' : ' (expired ones need --include-expired)'}`,
        {
          hint: 'list sessions with `sessions ls <url>` (add --expired for expired ones)',
        },
      );
    }
    context.note(`exported ${formatCount(sessions)} session${sessions === 1 ? '' : 's'} and ${formatCount(messages)} message${messages === 1 ? '' : 's'}`);
  },
};
