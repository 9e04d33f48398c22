import { type Engine, type Message, type Session, type SessionKey } from '@sessions/core';
import { type NewMessage } from '@sessions/core/engine';
import { CliError, isSessionsError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { pickKey, scanMessages } from '../scan.js';
import { differingFields, isCompleteCopy } from './compare.js';

/** What happened to one session. */
export type CopyOutcome =
  | { kind: 'copied'; messages: number }
  | { kind: 'resumed'; messages: number }
  | { kind: 'skipped' }
  | { kind: 'vanished' }
  | { kind: 'conflict'; reason: string };

export interface CopyContext {
  readonly source: Engine;
  /** Null in a dry run against a target that does not exist yet. */
  readonly target: Engine | null;
  readonly dryRun: boolean;
  /** Messages per read and per write. */
  readonly batchSize: number;
  readonly signal?: AbortSignal | undefined;
  /** Told about every batch written, for progress. */
  onMessages?(count: number): void;
  /** Told about things worth a line of their own. */
  onNotice?(line: string): void;
}

const MAX_ATTEMPTS = 3;

/**
 * Copies one session with its messages from source to target, so that rerunning after an
 * interruption never duplicates a message and never loses one:
 *
 * - A session of at most `batchSize` messages is written with one `createSession` call,
 *   which every engine makes atomic: it is in the target completely or not at all.
 * - A longer one is created with its first batch, then the rest is appended a batch at a
 *   time (each append is atomic and assigns the next seq, which reproduces the source's
 *   seq because the copy only does this for contiguous histories). The target session is
 *   then a prefix of the source session at every moment, and its `lastSeq` is the resume
 *   marker: a rerun appends from `lastSeq + 1`.
 * - A target session that already matches is skipped; one that differs in anything but a
 *   missing tail is a conflict, reported and left alone.
 *
 * `inTarget` is the target's copy if the caller already read it (null: known absent).
 */
export async function copySession(context: CopyContext, listed: Session, inTarget?: Session | null): Promise<CopyOutcome> {
  const key = pickKey(listed);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const source = attempt === 0 ? listed : await context.source.getSession(key);
    if (!source) return { kind: 'vanished' };
    // The caller may have looked the target up already, for a whole page in one query.
    const existing = attempt === 0 && inTarget !== undefined ? inTarget : context.target ? await context.target.getSession(key) : null;
    if (existing) return continueExisting(context, source, existing);

    const first = source.messageCount === 0 ? [] : await context.source.readMessages(key, { beforeSeq: source.lastSeq + 1, limit: context.batchSize + 1 });
    if (first.length !== Math.min(source.messageCount, context.batchSize + 1)) continue; // changed under us: read it again
    if (first.length <= context.batchSize) {
      if (context.dryRun) return { kind: 'copied', messages: first.length };
      if (!(await createOrLose(context, source, first))) continue;
      context.onMessages?.(first.length);
      return { kind: 'copied', messages: first.length };
    }
    if (context.dryRun) return { kind: 'copied', messages: source.messageCount };
    const plan = await planChunkedCopy(context, source, first[0]!);
    if (plan === 'changed') continue;
    if (plan === 'whole') return copyWhole(context, source);
    const head = first.slice(0, context.batchSize);
    if (!(await createOrLose(context, { ...source, messageCount: head.length, lastSeq: head[head.length - 1]!.seq }, head))) continue;
    context.onMessages?.(head.length);
    const rest = await appendFrom(context, source, head[head.length - 1]!.seq);
    return { kind: 'copied', messages: head.length + rest };
  }
  throw new CliError(
    EXIT.failure,
    'SOURCE_CHANGING',
    `${describe(key)} kept changing in the source while it was copied, or its messageCount does not match its messages`,
    {
      hint: 'stop the applications writing to the source store and rerun the migration; if it persists, run `sessions doctor` on the source',
    },
  );
}

/** False when another writer created the session first (the caller then looks again). */
async function createOrLose(context: CopyContext, session: Session, messages: readonly Message[]): Promise<boolean> {
  try {
    await context.target!.createSession(session, messages);
    return true;
  } catch (error) {
    if (isSessionsError(error) && error.code === 'SESSION_EXISTS') return false;
    throw error;
  }
}

async function continueExisting(context: CopyContext, source: Session, target: Session): Promise<CopyOutcome> {
  if (isCompleteCopy(source, target)) return { kind: 'skipped' };
  const differences = differingFields(source, target);
  if (differences.length > 0) return { kind: 'conflict', reason: `exists in the target with a different ${differences.join(', ')}` };
  const missing = source.messageCount - target.messageCount;
  if (target.lastSeq >= source.lastSeq || missing <= 0) {
    return {
      kind: 'conflict',
      reason: `the target has ${target.messageCount} messages up to seq ${target.lastSeq}, the source ${source.messageCount} up to seq ${source.lastSeq}`,
    };
  }
  // A partial copy is a prefix: its last message must be the source's message at that seq.
  if (target.messageCount > 0) {
    const [targetLast] = await context.target!.readMessages(pickKey(target), { last: 1 });
    const [sourceSame] = await context.source.readMessages(pickKey(source), { afterSeq: target.lastSeq - 1, beforeSeq: target.lastSeq + 1 });
    if (!targetLast || !sourceSame || targetLast.seq !== target.lastSeq || targetLast.id !== sourceSame.id) {
      return { kind: 'conflict', reason: `the target's messages are not a prefix of the source's (message at seq ${target.lastSeq} differs)` };
    }
  }
  if (missing !== source.lastSeq - target.lastSeq) {
    return {
      kind: 'conflict',
      reason: 'the rest of the source history has gaps in seq, which appending cannot reproduce; delete the partial copy from the target and rerun',
    };
  }
  if (context.dryRun) return { kind: 'resumed', messages: missing };
  const appended = await appendFrom(context, source, target.lastSeq);
  return { kind: 'resumed', messages: appended };
}

/**
 * Whether a long session can be copied batch by batch: its messages must run contiguously
 * from the first to `lastSeq` (appends assign consecutive seq) and none may be newer than
 * the session's `updatedAt` (an append moves `updatedAt` up to its messages' time).
 * Histories from core always qualify; hand-made imports may not, and are copied whole.
 */
async function planChunkedCopy(context: CopyContext, source: Session, first: Message): Promise<'chunked' | 'whole' | 'changed'> {
  let expected = first.seq;
  let count = 0;
  for await (const batch of scanMessages(context.source, source, {
    afterSeq: first.seq - 1,
    beforeSeq: source.lastSeq + 1,
    batchSize: context.batchSize,
    signal: context.signal,
  })) {
    for (const message of batch) {
      if (message.seq !== expected || message.createdAt.getTime() > source.updatedAt.getTime()) return 'whole';
      expected++;
      count++;
    }
  }
  if (count !== source.messageCount) return 'changed';
  return expected - 1 === source.lastSeq ? 'chunked' : 'whole';
}

async function copyWhole(context: CopyContext, source: Session): Promise<CopyOutcome> {
  context.onNotice?.(
    `${describe(source)}: ${source.messageCount} messages with gaps in seq or timestamps past updatedAt; copying it in one write (memory grows with its size)`,
  );
  const messages: Message[] = [];
  for await (const batch of scanMessages(context.source, source, { beforeSeq: source.lastSeq + 1, batchSize: context.batchSize, signal: context.signal }))
    messages.push(...batch);
  if (messages.length !== source.messageCount) {
    throw new CliError(EXIT.failure, 'SOURCE_CHANGING', `${describe(source)} changed in the source while it was copied`, {
      hint: 'stop writers to the source, then rerun',
    });
  }
  if (!(await createOrLose(context, source, messages))) return { kind: 'conflict', reason: 'was created in the target by another writer during the copy' };
  context.onMessages?.(messages.length);
  return { kind: 'copied', messages: messages.length };
}

/** Appends the source's messages after `afterSeq`, batch by batch; each batch is atomic and gets the source's seq. */
async function appendFrom(context: CopyContext, source: Session, afterSeq: number): Promise<number> {
  const key = pickKey(source);
  let expected = afterSeq + 1;
  let appended = 0;
  for await (const batch of scanMessages(context.source, key, {
    afterSeq,
    beforeSeq: source.lastSeq + 1,
    batchSize: context.batchSize,
    signal: context.signal,
  })) {
    for (const message of batch) {
      if (message.seq !== expected++) {
        throw new CliError(EXIT.failure, 'SOURCE_CHANGING', `${describe(key)}: message seq ${message.seq} breaks the contiguous history being appended`, {
          hint: 'the source changed during the copy; stop writers to the source and rerun',
        });
      }
    }
    const written = await context.target!.appendMessages(key, batch.map(withoutSeq));
    const mismatch = written.find((message, i) => message.seq !== batch[i]!.seq);
    if (mismatch) {
      throw new CliError(
        EXIT.failure,
        'SEQ_MISMATCH',
        `${describe(key)}: the target gave seq ${mismatch.seq} where the source has ${batch[written.indexOf(mismatch)]!.seq}`,
        {
          hint: 'another writer appended to the target session during the copy; delete it from the target and rerun',
        },
      );
    }
    appended += batch.length;
    context.onMessages?.(batch.length);
  }
  return appended;
}

function withoutSeq(message: Message): NewMessage {
  const { seq: _seq, ...rest } = message;
  return rest;
}

export function describe(key: SessionKey): string {
  return `session ${JSON.stringify(key.sessionId)} of user ${JSON.stringify(key.userId)}`;
}
