import type { SessionManager, Message } from '@sessions/core';
import type {
  CallSettings,
  FinishReason,
  generateText,
  LanguageModel,
  LanguageModelUsage,
  ModelMessage,
  StepResult,
  StopCondition,
  TextStreamPart,
  ToolSet,
} from 'ai';
import type { CompactHook } from './history/compaction.js';
import type { HistoryWindow } from './history/window.js';
import type { OutputSchema } from './structured-output.js';

/** Model call settings passed through to the SDK (`temperature`, `maxOutputTokens`, `providerOptions` ...). */
export type AgentCallSettings<TOOLS extends ToolSet = ToolSet> = Omit<CallSettings, 'abortSignal'> &
  Pick<Parameters<typeof generateText<TOOLS>>[0], 'providerOptions' | 'toolChoice' | 'activeTools' | 'experimental_telemetry' | 'experimental_context'>;

export interface AgentOptions<TOOLS extends ToolSet = ToolSet> {
  /** Any AI SDK language model. */
  model: LanguageModel;
  /** Where the conversations live. */
  sessions: SessionManager;
  /** The system prompt, sent with every turn (never stored). */
  system?: string;
  tools?: TOOLS;
  /** How much history to send: a number of messages, or {@link HistoryWindow}. Default: all of it. */
  historyWindow?: HistoryWindow | number;
  /** Summarises messages that left the window; needs `historyWindow`. See {@link CompactHook}. */
  compact?: CompactHook;
  /** When a multi-step tool loop stops. Default `stepCountIs(20)`. */
  stopWhen?: StopCondition<NoInfer<TOOLS>> | StopCondition<NoInfer<TOOLS>>[];
  settings?: AgentCallSettings<TOOLS>;
  /** Wait this long for a busy session instead of failing with `LockHeldError`. Default 0. */
  waitMs?: number;
  /** When a turn fails, keep the user's message (the rest of the turn is still taken back). Default false: a failed turn leaves the history as it was. */
  keepUserMessageOnError?: boolean;
  /** Stored in the `agentId` of every message this agent writes. */
  agentId?: string;
}

export interface TurnOptions<TOOLS extends ToolSet = ToolSet> {
  /** Aborts the turn (and the model call); the turn then fails with the signal's reason. */
  signal?: AbortSignal;
  waitMs?: number;
  keepUserMessageOnError?: boolean;
  /** Replaces the agent's system prompt for this turn. */
  system?: string;
  /** Merged over the agent's settings for this turn. */
  settings?: AgentCallSettings<TOOLS>;
}

export interface JsonOptions<OBJECT, TOOLS extends ToolSet = ToolSet> extends TurnOptions<TOOLS> {
  /** A zod schema, an AI SDK schema (`jsonSchema()`, `zodSchema()`), or a plain JSON Schema object. */
  schema: OutputSchema<OBJECT>;
  /** Name and description of the output, for providers that use them. */
  name?: string;
  description?: string;
}

export interface AgentRunResult<TOOLS extends ToolSet = ToolSet> {
  readonly userId: string;
  readonly sessionId: string;
  /** Shared by every message this turn stored (`runId`). */
  readonly runId: string;
  /** The final answer's text. */
  readonly text: string;
  readonly finishReason: FinishReason;
  /** Token usage of all the turn's steps. */
  readonly usage: LanguageModelUsage;
  readonly steps: StepResult<TOOLS>[];
  /** The assistant and tool messages the model produced, as the SDK gives them. */
  readonly responseMessages: ModelMessage[];
  /** What the turn stored, in order: a new summary if any, the input, then the responses. */
  readonly messages: Message[];
}

export interface AgentJsonResult<OBJECT, TOOLS extends ToolSet = ToolSet> extends AgentRunResult<TOOLS> {
  /** The answer, validated against the schema. */
  readonly object: OBJECT;
}

/** What a streamed turn yields: the SDK's stream parts, plus when the session is known and when messages are stored. */
export type AgentStreamEvent<TOOLS extends ToolSet = ToolSet> =
  | TextStreamPart<TOOLS>
  | { readonly type: 'session'; readonly userId: string; readonly sessionId: string; readonly runId: string }
  | { readonly type: 'saved'; readonly messages: Message[] };

/**
 * A streamed turn. Iterate it for every event, or `textStream` for the text; either may be
 * iterated any number of times, from the start. The turn runs whether or not anyone iterates,
 * and its messages are stored as its steps complete; `result` settles once they are. A turn
 * that fails (or is aborted) is taken back first: the messages its `saved` events reported are
 * removed again before `result` rejects.
 */
export interface AgentStream<TOOLS extends ToolSet = ToolSet> extends AsyncIterable<AgentStreamEvent<TOOLS>> {
  readonly textStream: AsyncIterable<string>;
  /** The stored turn; rejects with the turn's error (`LockHeldError`, `LockExpiredError`, the model's error ...). */
  readonly result: Promise<AgentRunResult<TOOLS>>;
  /** The session's id, as soon as the session is open (a new one when none was given). */
  readonly sessionId: Promise<string>;
  /** Aborts the turn; it is taken back, so nothing of it stays stored (unless `keepUserMessageOnError`). */
  abort(reason?: unknown): void;
}
