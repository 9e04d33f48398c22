import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { and, eq, isNotNull, lte, type Engine, type SessionKey } from '@sessions/core';
import { type LeaseInfo } from '@sessions/core/engine';
import { ADAPTER_PACKAGES, schemeOf } from '../adapters.js';
import type { Command, CommandContext } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { formatCount } from '../progress.js';
import { scanSessions } from '../scan.js';

type Status = 'ok' | 'warn' | 'fail' | 'skipped';

interface Check {
  name: string;
  status: Status;
  detail: string;
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'connect, check the schema, count sessions and messages, check the counters',
  usage: 'sessions doctor <url> [--quick] [--json]',
  help: `Checks a store end to end and reports what it finds:
  adapter      which package serves the URL, and its version
  connect      setup() succeeds within --connect-timeout (how long it took)
  schema       setup() accepted the store's schema version (it refuses one too old to
               migrate or too new for the installed adapter: exit 7)
  counts       sessions (active, archived, expired awaiting deletion) and message rows
  counters     every session's messageCount matches the message rows and lastSeq is not
               below it (a full scan; --quick skips it)
  leases       leases held now, and stale ones: expired on the store's clock without
               being released (a holder that died mid-run); each stale one is listed
Exit 0 when every check passes, 1 when one fails; connection and schema problems use
their own exit codes (6, 7).

Options:
  --quick                 skip the full scan of the counters

Example:
  sessions doctor postgres://app@db/app --json`,
  options: {
    quick: { type: 'boolean' },
  },
  positionals: ['url'],
  async run(context) {
    const url = context.positionals[0]!;
    const checks: Check[] = [];
    const adapter = await adapterInfo(url);
    checks.push({ name: 'adapter', status: 'ok', detail: adapter });
    const startedAt = performance.now();
    const { engine, label } = await context.open(url, { mustExist: true });
    const setupMs = Math.round(performance.now() - startedAt);
    checks.push({ name: 'connect', status: 'ok', detail: `${label} answered; setup took ${setupMs} ms` });
    const schemaVersion = await engine.storedSchemaVersion();
    checks.push({ name: 'schema', status: 'ok', detail: `setup() accepted the store's schema, version ${schemaVersion} (engine ${engine.name})` });
    const capabilities = Object.entries(engine.capabilities)
      .map(([name, value]) => `${name}=${String(value)}`)
      .join(' ');
    checks.push({ name: 'capabilities', status: 'ok', detail: capabilities });

    const now = context.now();
    const [sessions, archived, expired, messages] = await Promise.all([
      engine.count('sessions'),
      engine.count('sessions', { where: eq('status', 'archived') }),
      engine.count('sessions', { where: and(isNotNull('expiresAt'), lte('expiresAt', now)) }),
      engine.count('messages'),
    ]);
    const counts = { sessions, active: sessions - archived, archived, expired, messages };
    checks.push({
      name: 'counts',
      status: expired > 0 ? 'warn' : 'ok',
      detail: `${formatCount(sessions)} sessions (${formatCount(counts.active)} active, ${formatCount(archived)} archived), ${formatCount(messages)} messages${expired > 0 ? `; ${formatCount(expired)} expired sessions await deletion (sessions prune <url> --expired)` : ''}`,
    });
    checks.push(
      context.options['quick'] === true ? { name: 'counters', status: 'skipped', detail: '--quick' } : await checkCounters(context, engine, messages),
    );
    checks.push(await checkLeases(engine));

    const ok = checks.every((check) => check.status !== 'fail');
    if (context.global.json) {
      await context.out(`${JSON.stringify({ ok, url: label, engine: engine.name, capabilities: engine.capabilities, counts, checks })}\n`);
    } else {
      const width = Math.max(...checks.map((check) => check.name.length));
      const mark: Record<Status, string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', skipped: 'skip' };
      await context.out(`${checks.map((check) => `${mark[check.status]}  ${check.name.padEnd(width)}  ${check.detail}`).join('\n')}\n`);
    }
    return ok ? EXIT.ok : EXIT.failure;
  },
};

const STALE_SHOWN = 20;

/** Pages through every lease row: held now, or stale (expired by the store's clock, never released). */
async function checkLeases(engine: Engine): Promise<Check> {
  let held = 0;
  const stale: LeaseInfo[] = [];
  let staleCount = 0;
  let after: SessionKey | undefined;
  for (;;) {
    const page = await engine.listLeases({ limit: 1_000, ...(after ? { after } : {}) });
    for (const lease of page) {
      if (lease.held) held += 1;
      else if (lease.expiresAt !== null) {
        staleCount += 1;
        if (stale.length < STALE_SHOWN) stale.push(lease);
      }
    }
    if (page.length < 1_000) break;
    const last = page.at(-1)!;
    after = { userId: last.userId, sessionId: last.sessionId };
  }
  const listed = stale
    .map((lease) => `\n        ${lease.userId} / ${lease.sessionId}: ${lease.owner} (token ${lease.token}) expired ${lease.expiresAt!.toISOString()}`)
    .join('');
  const more = staleCount > stale.length ? `\n        … and ${formatCount(staleCount - stale.length)} more` : '';
  return {
    name: 'leases',
    status: staleCount > 0 ? 'warn' : 'ok',
    detail: `${formatCount(held)} held now, ${formatCount(staleCount)} stale (expired without release; the next run takes them over)${listed}${more}`,
  };
}

async function adapterInfo(url: string): Promise<string> {
  const scheme = schemeOf(url);
  if (scheme === 'memory:') return '@sessions/core (in-memory engine; data lives only as long as this command)';
  const packageName = scheme === undefined ? undefined : ADAPTER_PACKAGES[scheme];
  if (!packageName) return `registered adapter for ${scheme ?? 'an unknown scheme'}`;
  try {
    const require = createRequire(import.meta.url);
    const manifest = JSON.parse(await readFile(require.resolve(`${packageName}/package.json`), 'utf8')) as { version?: string };
    return `${packageName} ${manifest.version ?? ''}`.trim();
  } catch {
    return packageName;
  }
}

/**
 * Sums every session's `messageCount` (streaming, a page at a time) and compares it with the
 * message rows the store holds; a session whose `lastSeq` is below its `messageCount` is
 * impossible and flagged too.
 */
async function checkCounters(context: CommandContext, engine: Engine, messageRows: number): Promise<Check> {
  const progress = context.progress('doctor: counters', 'sessions');
  let counted = 0;
  let sessions = 0;
  const impossible: string[] = [];
  for await (const page of scanSessions(engine, { pageSize: 500, signal: context.signal })) {
    for (const session of page) {
      sessions++;
      counted += session.messageCount;
      if (session.lastSeq < session.messageCount && impossible.length < 10) impossible.push(`${session.userId}/${session.sessionId}`);
    }
    progress.update(sessions);
  }
  progress.finish();
  if (impossible.length > 0) return { name: 'counters', status: 'fail', detail: `lastSeq below messageCount in ${impossible.join(', ')}` };
  if (counted !== messageRows) {
    return {
      name: 'counters',
      status: 'fail',
      detail: `sessions count ${formatCount(counted)} messages, the store holds ${formatCount(messageRows)} message rows (orphaned or lost messages)`,
    };
  }
  return { name: 'counters', status: 'ok', detail: `${formatCount(sessions)} sessions' messageCount add up to the ${formatCount(messageRows)} message rows` };
}
