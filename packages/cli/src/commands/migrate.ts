import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { redactUrl } from '@sessions/core';
import { schemeOf } from '../adapters.js';
import type { Command, CommandContext } from '../command.js';
import { parsePositiveInt } from '../duration.js';
import { CliError, UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { migrateSessions, type MigrateSummary } from '../migrate/migrate.js';
import { localPathOf } from '../open-store.js';
import { formatCount, formatElapsed } from '../progress.js';
import { combine, notExpired, selectionFilter, SELECTION_HELP, SELECTION_OPTIONS } from '../selection.js';

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'copy sessions and messages from one store to another; resumable, verified',
  usage: 'sessions migrate <from-url> <to-url> [--user U] [--where <filter JSON>] [--dry-run]',
  help: `Copies every session (archived ones included; expired ones only with --include-expired) with its messages, in
user and session id order, a page of sessions and a batch of messages at a time, so memory
stays flat for any store size. The target keeps each session's ids, seq numbers,
timestamps, state and version.

Resumable: a session of up to --batch-size messages is written in one atomic call; a
longer one is created with its first batch and the rest appended batch by batch, each
append atomic, so the target always holds a prefix. Rerunning after an interruption
(Ctrl-C, a crash, a kill) skips sessions already complete, finishes partial ones and never
duplicates a message. At the end every copied session is checked against the source
(fields, counters and message rows); a mismatch exits 1.

A session that already exists in the target with different content is a conflict: it is
left alone, listed, and the exit code is 8. Stop writers to the source while migrating
(or rerun afterwards: new messages are appended, but changed fields are conflicts).
Leases are not copied.

Options:
${SELECTION_HELP}
  --include-expired       also copy sessions whose TTL has passed but that were not deleted
                          yet (by default they are counted and left behind)
  --dry-run               count what would be copied, resumed or skipped; write nothing
  --batch-size <n>        messages per read and write (default 500)
  --concurrency <n>       sessions copied at once (default 4)
  --no-verify             skip the final verification pass

Examples:
  sessions migrate sqlite:./sessions.db postgres://app@db.internal/app
  sessions migrate postgres://app@db/app redis://cache:6379 --user alice --json`,
  options: {
    ...SELECTION_OPTIONS,
    'dry-run': { type: 'boolean' },
    'batch-size': { type: 'string' },
    concurrency: { type: 'string' },
    'no-verify': { type: 'boolean' },
    'include-expired': { type: 'boolean' },
  },
  positionals: ['from-url', 'to-url'],
  async run(context) {
    const [fromUrl, toUrl] = context.positionals as [string, string];
    if (sameStore(fromUrl, toUrl)) throw new UsageError('the source and the target are the same store', 'give two different URLs');
    const where = selectionFilter(context.options);
    const dryRun = context.options['dry-run'] === true;
    const batchSize =
      typeof context.options['batch-size'] === 'string' ? parsePositiveInt(context.options['batch-size'], '--batch-size', { max: 10_000 }) : 500;
    const concurrency = typeof context.options['concurrency'] === 'string' ? parsePositiveInt(context.options['concurrency'], '--concurrency', { max: 64 }) : 4;
    const includeExpired = context.options['include-expired'] === true;
    const now = context.now();
    const startedAt = Date.now();

    const source = await context.open(fromUrl, { mustExist: true });
    // A dry run never creates a store: a target that does not exist yet counts as empty.
    const targetPath = localPathOf(toUrl);
    const target =
      dryRun && targetPath !== undefined && !existsSync(targetPath)
        ? null
        : await context.open(toUrl, { mustExist: dryRun }).catch((error: unknown) => {
            if (dryRun && error instanceof CliError && error.code === 'STORE_NOT_FOUND') return null;
            throw error;
          });

    // The same selection migrateSessions copies, so the bar ends at 100%.
    const copied = includeExpired ? where : combine(where, notExpired(now));
    const total = await source.engine.count('sessions', copied === undefined ? {} : { where: copied });
    const copying = context.progress(dryRun ? 'migrate (dry run)' : 'migrate', 'sessions', total);
    const verifying = context.progress('verify', 'sessions', total);
    let copyingFinished = false;
    const summary = await migrateSessions(source.engine, target?.engine ?? null, {
      where,
      dryRun,
      batchSize,
      concurrency,
      verify: context.options['no-verify'] !== true,
      includeExpired,
      now,
      signal: context.signal,
      onProgress(progress) {
        if (progress.phase === 'copy') copying.update(progress.sessions, `${formatCount(progress.messages)} messages`);
        else {
          if (!copyingFinished) copying.finish();
          copyingFinished = true;
          verifying.update(progress.sessions);
        }
      },
      onNotice(line) {
        copying.clear();
        context.warn(line);
      },
    });
    if (!copyingFinished) copying.finish();
    verifying.finish();
    await print(context, summary, { from: redactUrl(fromUrl), to: redactUrl(toUrl), elapsedMs: Date.now() - startedAt });
    if (summary.sessions.conflicts > 0) {
      context.warn(
        `sessions migrate: ${formatCount(summary.sessions.conflicts)} conflicting session${summary.sessions.conflicts === 1 ? '' : 's'} left alone (exit 8); delete them from the target to copy them, or leave them`,
      );
      return EXIT.conflict;
    }
    if (summary.verification && !summary.verification.ok) {
      context.warn('sessions migrate: verification failed (exit 1); if the source was being written to, stop the writers and rerun');
      return EXIT.failure;
    }
    return EXIT.ok;
  },
};

function sameStore(a: string, b: string): boolean {
  if (a === b) return true;
  const [pathA, pathB] = [localPathOf(a), localPathOf(b)];
  return pathA !== undefined && pathB !== undefined && schemeOf(a) === schemeOf(b) && resolve(pathA) === resolve(pathB);
}

async function print(context: CommandContext, summary: MigrateSummary, run: { from: string; to: string; elapsedMs: number }): Promise<void> {
  if (context.global.json) {
    await context.out(`${JSON.stringify({ from: run.from, to: run.to, ...summary, elapsedMs: run.elapsedMs })}\n`);
    return;
  }
  const s = summary.sessions;
  const would = summary.dryRun ? 'would be ' : '';
  const lines = [
    `${summary.dryRun ? 'dry run: ' : ''}migrate ${run.from} -> ${run.to}`,
    `sessions  ${formatCount(s.scanned)} in the source: ${formatCount(s.copied)} ${would}copied, ${formatCount(s.resumed)} ${would}resumed, ${formatCount(s.skipped)} already there, ${formatCount(s.conflicts)} conflicts${s.vanished > 0 ? `, ${formatCount(s.vanished)} deleted meanwhile` : ''}${s.expired > 0 ? `; ${formatCount(s.expired)} expired left behind (--include-expired copies them)` : ''}`,
    `messages  ${formatCount(summary.messages.copied)} ${would}copied`,
  ];
  for (const conflict of summary.conflicts)
    lines.push(`conflict  ${JSON.stringify(conflict.userId)} / ${JSON.stringify(conflict.sessionId)}: ${conflict.reason}`);
  const v = summary.verification;
  if (v) {
    const uncompared = v.expiredMeanwhile > 0 ? `; ${formatCount(v.expiredMeanwhile)} expired, not compared (the target drops expired sessions by itself)` : '';
    if (v.ok) lines.push(`verified  ${formatCount(v.sessions)} sessions and ${formatCount(v.messages)} messages match${uncompared}`);
    else {
      lines.push(
        `verify    FAILED: ${formatCount(v.mismatchCount)} mismatch${v.mismatchCount === 1 ? '' : 'es'} (source ${formatCount(v.sessions)} sessions / ${formatCount(v.messages)} messages, target ${formatCount(v.targetSessions)} / ${formatCount(v.targetMessages)})`,
      );
      for (const item of v.mismatches.slice(0, 20)) lines.push(`          ${JSON.stringify(item.userId)} / ${JSON.stringify(item.sessionId)}: ${item.reason}`);
    }
  }
  lines.push(`took      ${formatElapsed(run.elapsedMs)}`);
  await context.out(`${lines.join('\n')}\n`);
}
