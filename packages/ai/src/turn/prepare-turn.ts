import { ValidationError, type MessageInput, type RunContext, type SessionManager } from '@sessions/core';
import { describeType } from '@sessions/core/engine';
import type { ModelMessage, SystemModelMessage, ToolSet } from 'ai';
import { toModelMessages } from '../convert/model-messages.js';
import { compactionRecord, type CompactHook } from '../history/compaction.js';
import { loadWindow } from '../history/load-window.js';
import type { ResolvedWindow } from '../history/window.js';
import { TurnWriter, type TurnWriterOptions } from './turn-writer.js';

export interface TurnSetup {
  readonly sessions: SessionManager;
  readonly window: ResolvedWindow | null;
  readonly compact: CompactHook | undefined;
  readonly system: string | undefined;
  readonly tools: ToolSet | undefined;
}

export interface PreparedTurn {
  /** The system prompt and the latest summary, for the SDK's `system` option. */
  readonly system: SystemModelMessage[] | undefined;
  /** History in the window, then the caller's input. */
  readonly messages: ModelMessage[];
  readonly writer: TurnWriter;
}

/**
 * Inside the lease: loads the history window, runs the compaction hook when messages left the
 * window unsummarised, and builds the prompt and the writer for the turn.
 */
export async function prepareTurn(
  setup: TurnSetup,
  context: RunContext,
  input: { model: ModelMessage[]; records: MessageInput[] },
  writerOptions: TurnWriterOptions,
): Promise<PreparedTurn> {
  const { sessions } = setup;
  const history = await loadWindow(sessions, context.key, setup.window, { summaries: setup.compact !== undefined });
  let summary = history.summary?.text ?? null;
  const opening: MessageInput[] = [];
  if (setup.compact && history.uncovered.length > 0) {
    const text = await setup.compact({
      key: context.key,
      summary,
      messages: await toModelMessages(history.uncovered, setup.tools ? { tools: setup.tools } : {}),
      stored: history.uncovered,
      signal: context.signal,
    });
    context.signal.throwIfAborted();
    if (text !== null && text !== undefined && typeof text !== 'string') {
      throw new ValidationError(`the compact hook returned ${describeType(text)}; return the summary text, or null to postpone`, { path: 'options.compact' });
    }
    if (typeof text === 'string' && text.length > 0) {
      summary = text;
      opening.push(compactionRecord(text, history.uncovered.at(-1)!.seq, writerOptions.runId, writerOptions.agentId));
    }
  }
  const system: SystemModelMessage[] = [];
  if (setup.system !== undefined) system.push({ role: 'system', content: setup.system });
  if (summary !== null) system.push({ role: 'system', content: summary });
  const messages = [...(await toModelMessages(history.messages, setup.tools ? { tools: setup.tools } : {})), ...input.model];
  opening.push(...input.records);
  return {
    system: system.length > 0 ? system : undefined,
    messages,
    writer: new TurnWriter(context, opening, writerOptions),
  };
}
