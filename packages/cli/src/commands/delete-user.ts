import { eq } from '@sessions/core';
import { assertId } from '@sessions/core/engine';
import type { Command } from '../command.js';
import { countMatching, deleteMatching } from '../bulk.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { formatCount } from '../progress.js';

export const deleteUserCommand: Command = {
  name: 'delete-user',
  summary: 'delete every session and message of one user (deletion requests)',
  usage: 'sessions delete-user <url> <user> [--dry-run] [--yes]',
  help: `Deletes all of the user's sessions, archived and expired ones included, with their
messages, page by page, then counts again to prove nothing of the user is left. Reports
how many sessions and messages went. Asks first on a terminal; scripts pass --yes.

Not covered: lease rows (owner name, token, expiry per session key) are kept by the
stores so lease tokens never repeat; they hold no message content.

Options:
  --dry-run               count what would be deleted; delete nothing

Example:
  sessions delete-user postgres://app@db/app alice --yes --json`,
  options: {
    'dry-run': { type: 'boolean' },
  },
  positionals: ['url', 'user'],
  async run(context) {
    const [url, userId] = context.positionals as [string, string];
    assertId(userId, 'user');
    const where = eq('userId', userId);
    const { engine } = await context.open(url, { mustExist: true });
    const dryRun = context.options['dry-run'] === true;
    if (dryRun) {
      const found = await countMatching(engine, where, { signal: context.signal });
      if (context.global.json) await context.out(`${JSON.stringify({ userId, dryRun, sessions: found.sessions, messages: found.messages })}\n`);
      else
        await context.out(
          `would delete ${formatCount(found.sessions)} sessions and ${formatCount(found.messages)} messages of user ${JSON.stringify(userId)}\n`,
        );
      return;
    }
    const confirmed = await context.confirm(async () => {
      const found = await countMatching(engine, where, { signal: context.signal });
      return found.sessions === 0
        ? undefined
        : `delete ${formatCount(found.sessions)} sessions and ${formatCount(found.messages)} messages of user ${JSON.stringify(userId)}?`;
    });
    if (!confirmed) throw new CliError(EXIT.failure, 'CANCELLED', 'cancelled: nothing was deleted');
    const progress = context.progress('delete-user', 'sessions');
    const deleted = await deleteMatching(engine, where, { signal: context.signal, progress });
    progress.finish();
    // Proof for the deletion request: nothing of the user is left, messages included.
    const remaining = { sessions: await engine.count('sessions', { where }), messages: await engine.count('messages', { where }) };
    if (context.global.json) {
      await context.out(`${JSON.stringify({ userId, dryRun, sessions: deleted.sessions, messages: deleted.messages, remaining })}\n`);
    } else {
      await context.out(`deleted ${formatCount(deleted.sessions)} sessions and ${formatCount(deleted.messages)} messages of user ${JSON.stringify(userId)}\n`);
    }
    if (remaining.sessions > 0 || remaining.messages > 0) {
      throw new CliError(
        EXIT.failure,
        'NOT_ALL_DELETED',
        `${formatCount(remaining.sessions)} sessions and ${formatCount(remaining.messages)} messages of the user are still in the store`,
        {
          hint: 'something created them while deleting (stop the application for this user) — run delete-user again',
        },
      );
    }
    context.note(`verified: no session or message of user ${JSON.stringify(userId)} is left`);
  },
};
