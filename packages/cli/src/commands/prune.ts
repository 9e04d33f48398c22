import { and, eq, isNotNull, lt, lte, type Filter } from '@sessions/core';
import type { Command, CommandContext } from '../command.js';
import { archiveMatching, countMatching, deleteMatching, type BulkResult } from '../bulk.js';
import { parseCutoff } from '../duration.js';
import { CliError, UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { formatCount } from '../progress.js';
import { combine, selectionFilter, SELECTION_HELP, SELECTION_OPTIONS } from '../selection.js';

export const pruneCommand: Command = {
  name: 'prune',
  summary: 'archive or delete sessions not updated for a while, and delete expired ones',
  usage: 'sessions prune <url> --older-than 30d [--archive|--delete] [--expired] [--user U] [--where ...] [--dry-run]',
  help: `Selects sessions whose last update (updatedAt) is older than --older-than and
archives them (the default: status becomes archived, as SessionManager.archiveInactive
does) or deletes them with their messages (--delete, any status). --expired also deletes
sessions whose TTL has passed. Work goes page by page, each write re-checking the
selection, so a session updated meanwhile is left alone. Counts are reported; with
--dry-run nothing changes.

Options:
  --older-than <when>     a duration (30d, 12h, 90m, 1d12h) before now, or a past date
                          (2025-01-31 is midnight UTC; 2025-01-31T12:00:00Z); 0d or a
                          date not in the past is refused: it would select everything
  --archive               archive the old active sessions (default)
  --delete                delete the old sessions and their messages (asks first; --yes in scripts)
  --expired               delete sessions whose TTL has passed (asks first; --yes in scripts)
${SELECTION_HELP}
  --dry-run               count what would change; change nothing

Examples:
  sessions prune sqlite:./sessions.db --older-than 90d
  sessions prune postgres://app@db/app --older-than 365d --delete --yes
  sessions prune redis://localhost:6379 --expired --yes`,
  options: {
    ...SELECTION_OPTIONS,
    'older-than': { type: 'string' },
    archive: { type: 'boolean' },
    delete: { type: 'boolean' },
    expired: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
  },
  positionals: ['url'],
  async run(context) {
    const { options } = context;
    const olderThan = options['older-than'];
    const expired = options['expired'] === true;
    if (options['archive'] === true && options['delete'] === true) throw new UsageError('prune takes --archive or --delete, not both');
    if (typeof olderThan !== 'string' && !expired)
      throw new UsageError('prune needs --older-than <duration> (and/or --expired)', 'e.g. sessions prune <url> --older-than 30d');
    if (typeof olderThan !== 'string' && (options['archive'] === true || options['delete'] === true)) {
      throw new UsageError('--archive and --delete act on sessions selected by --older-than', 'e.g. sessions prune <url> --older-than 30d --delete');
    }
    const action = options['delete'] === true ? 'delete' : 'archive';
    const dryRun = options['dry-run'] === true;
    const now = context.now();
    const cutoff = typeof olderThan === 'string' ? parseCutoff(olderThan, '--older-than', now) : undefined;
    const selection = selectionFilter(options);
    const oldWhere: Filter | undefined =
      cutoff === undefined ? undefined : combine(selection, lt('updatedAt', cutoff), action === 'archive' ? eq('status', 'active') : undefined);
    const expiredWhere: Filter | undefined = expired ? combine(selection, and(isNotNull('expiresAt'), lte('expiresAt', now))) : undefined;

    const { engine } = await context.open(context.positionals[0]!, { mustExist: true });
    const report: PruneReport = { dryRun, cutoff: cutoff?.toISOString() ?? null, action: cutoff ? action : null, old: null, expired: null };

    if (dryRun) {
      if (expiredWhere) report.expired = await countMatching(engine, expiredWhere, { signal: context.signal });
      if (oldWhere) report.old = await countMatching(engine, oldWhere, { signal: context.signal });
      return print(context, report);
    }
    const deletions = [expiredWhere, action === 'delete' ? oldWhere : undefined].filter((where): where is Filter => where !== undefined);
    const confirmed =
      deletions.length === 0 ||
      (await context.confirm(async () => {
        let sessions = 0;
        let messages = 0;
        for (const where of deletions) {
          const part = await countMatching(engine, where, { signal: context.signal });
          sessions += part.sessions;
          messages += part.messages;
        }
        return sessions === 0 ? undefined : `delete ${formatCount(sessions)} sessions and ${formatCount(messages)} messages?`;
      }));
    if (!confirmed) throw new CliError(EXIT.failure, 'CANCELLED', 'cancelled: nothing was changed');
    if (expiredWhere) {
      const progress = context.progress('prune: expired', 'sessions');
      report.expired = await deleteMatching(engine, expiredWhere, { signal: context.signal, progress });
      progress.finish();
    }
    if (oldWhere) {
      const progress = context.progress(`prune: ${action}`, 'sessions');
      report.old =
        action === 'delete'
          ? await deleteMatching(engine, oldWhere, { signal: context.signal, progress })
          : await archiveMatching(engine, oldWhere, now, { signal: context.signal, progress });
      progress.finish();
    }
    return print(context, report);
  },
};

interface PruneReport {
  dryRun: boolean;
  cutoff: string | null;
  action: 'archive' | 'delete' | null;
  old: BulkResult | null;
  expired: BulkResult | null;
}

async function print(context: CommandContext, report: PruneReport): Promise<void> {
  if (context.global.json) {
    await context.out(`${JSON.stringify(report)}\n`);
    return;
  }
  const would = report.dryRun ? 'would ' : '';
  const lines: string[] = [];
  if (report.old) {
    const verb = report.action === 'delete' ? (report.dryRun ? 'delete' : 'deleted') : report.dryRun ? 'archive' : 'archived';
    lines.push(`${would}${verb} ${counts(report.old)} not updated since ${report.cutoff}`);
  }
  if (report.expired) lines.push(`${would}${report.dryRun ? 'delete' : 'deleted'} ${counts(report.expired)} whose TTL has passed`);
  await context.out(`${lines.join('\n')}\n`);
}

function counts(result: BulkResult): string {
  return `${formatCount(result.sessions)} session${result.sessions === 1 ? '' : 's'} (${formatCount(result.messages)} message${result.messages === 1 ? '' : 's'})`;
}
