import { ValidationError, type Message, type RunContext, type SessionKey, type SessionManager } from '@sessions/core';
import { assertCount, assertId, ulid } from '@sessions/core/engine';
import {
  generateText,
  Output,
  stepCountIs,
  streamText,
  type FinishReason,
  type LanguageModel,
  type LanguageModelUsage,
  type ModelMessage,
  type StepResult,
  type StopCondition,
  type ToolSet,
} from 'ai';
import { fromModelMessages } from './convert/model-messages.js';
import type {
  AgentCallSettings,
  AgentJsonResult,
  AgentOptions,
  AgentRunResult,
  AgentStream,
  AgentStreamEvent,
  JsonOptions,
  TurnOptions,
} from './agent-types.js';
import type { CompactHook } from './history/compaction.js';
import { resolveWindow, type ResolvedWindow } from './history/window.js';
import { assertTarget, normalizeInput, type AgentInput, type AgentTarget } from './input.js';
import { toFlexibleSchema } from './structured-output.js';
import { EventBuffer } from './turn/event-buffer.js';
import { prepareTurn, type PreparedTurn } from './turn/prepare-turn.js';
import { AgentSession, type AgentSessionOptions } from './agent-session.js';
import { assertSessionManager } from './session-manager-check.js';

interface ActiveTurn {
  readonly context: RunContext;
  readonly prepared: PreparedTurn;
}

interface TurnHooks {
  onOpen?(key: SessionKey, runId: string): void;
  onSaved?(messages: Message[]): void;
}

const noop = () => undefined;

/**
 * An AI SDK agent whose conversations persist in a `SessionManager`: each turn loads the
 * session's history inside the session's lease, calls the model, and stores the user message,
 * the assistant's answers, tool calls and tool results as they complete. A turn that fails is
 * taken back under the same lease, so it leaves the history as it was.
 *
 * @example
 * const sessions = new SessionManager({ engine: await createEngine('sqlite:./sessions.db') })
 * await sessions.engine.setup()
 * const agent = createAgent({ model: openai('gpt-4.1-mini'), sessions })
 * const { text, sessionId } = await agent.run({ userId: 'alice' }, 'Hi')
 */
export function createAgent<TOOLS extends ToolSet = ToolSet>(options: AgentOptions<TOOLS>): Agent<TOOLS> {
  return new Agent(options);
}

export class Agent<TOOLS extends ToolSet = ToolSet> {
  readonly sessions: SessionManager;
  readonly model: LanguageModel;
  readonly system: string | undefined;
  readonly tools: TOOLS | undefined;
  readonly agentId: string | undefined;
  readonly #window: ResolvedWindow | null;
  readonly #compact: CompactHook | undefined;
  readonly #stopWhen: StopCondition<NoInfer<TOOLS>> | StopCondition<NoInfer<TOOLS>>[];
  readonly #settings: AgentCallSettings<TOOLS>;
  readonly #waitMs: number;
  readonly #keepUserMessageOnError: boolean;

  constructor(options: AgentOptions<TOOLS>) {
    if (typeof options !== 'object' || options === null) throw new ValidationError('createAgent needs { model, sessions }', { path: 'options' });
    assertSessionManager(options.sessions, 'options.sessions');
    if (options.model === undefined || options.model === null) throw new ValidationError('must be an AI SDK language model', { path: 'options.model' });
    if (options.system !== undefined && typeof options.system !== 'string') throw new ValidationError('must be a string', { path: 'options.system' });
    if (options.compact !== undefined && typeof options.compact !== 'function')
      throw new ValidationError('must be a function ({ summary, messages }) => summary', { path: 'options.compact' });
    if (options.compact !== undefined && options.historyWindow === undefined) {
      throw new ValidationError('needs historyWindow: compaction summarises what leaves the window', { path: 'options.compact' });
    }
    if (options.agentId !== undefined) assertId(options.agentId, 'options.agentId');
    const waitMs = options.waitMs ?? 0;
    assertCount(waitMs, 'options.waitMs');
    this.sessions = options.sessions;
    this.model = options.model;
    this.system = options.system;
    this.tools = options.tools;
    this.agentId = options.agentId;
    this.#window = resolveWindow(options.historyWindow, 'options.historyWindow');
    this.#compact = options.compact;
    this.#stopWhen = options.stopWhen ?? stepCountIs(20);
    this.#settings = Object.freeze({ ...options.settings });
    this.#waitMs = waitMs;
    this.#keepUserMessageOnError = options.keepUserMessageOnError ?? false;
  }

  /**
   * One turn: `input` goes to the model with the session's history, and the turn is stored.
   * Without `sessionId` a new session is created; a `sessionId` that does not exist yet is
   * created. Fails with `LockHeldError` while another turn holds the session (or waits
   * `waitMs`), and with `LockExpiredError` if the lease is lost mid-call (the call is aborted).
   */
  async run(target: AgentTarget, input: AgentInput, options: TurnOptions<TOOLS> = {}): Promise<AgentRunResult<TOOLS>> {
    const turn = await this.#runTurn(target, input, options, {}, async ({ context, prepared }) => {
      const result = await generateText({ ...this.#callOptions(context, prepared, options) });
      await prepared.writer.writeResponse(result.response.messages);
      return result;
    });
    return toRunResult(turn.key, turn.runId, turn.value, turn.value.totalUsage, turn.stored);
  }

  /**
   * One turn with a structured answer: the model is asked for JSON matching `schema`, the
   * answer is validated (an invalid answer fails the turn, which is taken back) and stored
   * like any other turn, as the assistant's JSON text.
   */
  async json<OBJECT>(target: AgentTarget, input: AgentInput, options: JsonOptions<OBJECT, TOOLS>): Promise<AgentJsonResult<OBJECT, TOOLS>> {
    if (typeof options !== 'object' || options === null || options.schema === undefined)
      throw new ValidationError('json() needs { schema }', { path: 'options.schema' });
    const output = Output.object<OBJECT>({
      schema: toFlexibleSchema(options.schema),
      ...(options.name === undefined ? {} : { name: options.name }),
      ...(options.description === undefined ? {} : { description: options.description }),
    });
    const turn = await this.#runTurn(target, input, options, {}, async ({ context, prepared }) => {
      const result = await generateText({ ...this.#callOptions(context, prepared, options), output });
      // Reading the output first: an answer that fails validation throws here, before it is stored.
      const object = result.output;
      await prepared.writer.writeResponse(result.response.messages);
      return { result, object };
    });
    const { result, object } = turn.value;
    return { ...toRunResult(turn.key, turn.runId, result as never, result.totalUsage, turn.stored), object };
  }

  /** A streamed turn; see {@link AgentStream}. Same storage and locking as {@link run}. */
  stream(target: AgentTarget, input: AgentInput, options: TurnOptions<TOOLS> = {}): AgentStream<TOOLS> {
    const events = new EventBuffer<AgentStreamEvent<TOOLS>>();
    const controller = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
    let resolveId!: (id: string) => void;
    let rejectId!: (error: unknown) => void;
    const sessionId = new Promise<string>((resolve, reject) => {
      resolveId = resolve;
      rejectId = reject;
    });
    const hooks: TurnHooks = {
      onOpen: (key, runId) => {
        resolveId(key.sessionId);
        events.push({ type: 'session', userId: key.userId, sessionId: key.sessionId, runId });
      },
      onSaved: (messages) => events.push({ type: 'saved', messages }),
    };
    const result = this.#runTurn(target, input, { ...options, signal }, hooks, async ({ context, prepared }) => {
      const stream = streamText({ ...this.#callOptions(context, prepared, options), onError: noop });
      let failure: { error: unknown } | undefined;
      for await (const part of stream.fullStream) {
        if (part.type === 'error') {
          failure = { error: part.error };
          break;
        }
        if (part.type === 'abort') break;
        events.push(part);
      }
      context.signal.throwIfAborted();
      if (failure) throw failure.error;
      const [response, steps, totalUsage, finishReason, text] = await Promise.all([
        stream.response,
        stream.steps,
        stream.totalUsage,
        stream.finishReason,
        stream.text,
      ]);
      await prepared.writer.writeResponse(response.messages);
      return { response, steps, totalUsage, finishReason, text };
    }).then((turn) => toRunResult(turn.key, turn.runId, turn.value, turn.value.totalUsage, turn.stored));
    result.then(
      () => events.close(),
      (error: unknown) => {
        rejectId(error);
        events.fail(error);
      },
    );
    result.catch(noop);
    sessionId.catch(noop);
    return {
      [Symbol.asyncIterator]: () => events.read(),
      textStream: {
        async *[Symbol.asyncIterator]() {
          for await (const event of events.read()) if (event.type === 'text-delta') yield event.text;
        },
      },
      result,
      sessionId,
      abort: (reason?: unknown) => controller.abort(reason),
    };
  }

  /**
   * A handle on one session for a conversation: `run`, `stream`, `json`, `messages`,
   * `addMessage`, `clear`, `fork`, `toJSON`. Creates the session (with `messages`) when it
   * does not exist.
   *
   * @example
   * const chat = await agent.session({ userId: 'alice' })
   * await chat.run('My name is Alice')
   * const again = await agent.session({ userId: 'alice', sessionId: chat.sessionId })
   */
  session(options: AgentSessionOptions): Promise<AgentSession<TOOLS>> {
    return AgentSession.open(this, options);
  }

  #callOptions(context: RunContext, prepared: PreparedTurn, options: TurnOptions<TOOLS>) {
    const initial = prepared.messages.length;
    return {
      ...this.#settings,
      ...options.settings,
      model: this.model,
      ...(this.tools === undefined ? {} : { tools: this.tools }),
      stopWhen: this.#stopWhen,
      ...(prepared.system === undefined ? {} : { system: prepared.system }),
      messages: prepared.messages,
      // Stored system messages (added with addMessage) are the application's own.
      allowSystemInMessages: true,
      abortSignal: context.signal,
      // Called before every step after the first: the previous steps are complete, so store them.
      prepareStep: async ({ stepNumber, messages }: { stepNumber: number; messages: ModelMessage[] }) => {
        if (stepNumber > 0) await prepared.writer.writeResponse(messages.slice(initial));
        return undefined;
      },
    };
  }

  async #runTurn<R>(
    target: AgentTarget,
    input: AgentInput,
    options: TurnOptions<TOOLS>,
    hooks: TurnHooks,
    execute: (turn: ActiveTurn) => Promise<R>,
  ): Promise<{ key: SessionKey; runId: string; value: R; stored: Message[] }> {
    assertTarget(target);
    if (typeof options !== 'object' || options === null) throw new ValidationError('expected an options object', { path: 'options' });
    const runId = `run_${ulid()}`;
    const model = normalizeInput(input);
    // Converted (and so validated) before the lease is taken: bad input never reaches the store.
    const records = fromModelMessages(model, { runId, ...(this.agentId === undefined ? {} : { agentId: this.agentId }) });
    const waitMs = options.waitMs ?? this.#waitMs;
    assertCount(waitMs, 'options.waitMs');
    const keepUser = options.keepUserMessageOnError ?? this.#keepUserMessageOnError;
    const system = options.system ?? this.system;
    const { key, generated } = await this.#open(target);
    hooks.onOpen?.(key, runId);
    // The last seq this turn stored, for the cleanup of a session it created.
    let lastSeq = 0;
    try {
      return await this.sessions.run(
        key,
        async (context) => {
          const prepared = await prepareTurn(
            { sessions: this.sessions, window: this.#window, compact: this.#compact, system, tools: this.tools },
            context,
            { model, records },
            { runId, ...(this.agentId === undefined ? {} : { agentId: this.agentId }), ...(hooks.onSaved ? { onSaved: hooks.onSaved } : {}) },
          );
          try {
            const value = await execute({ context, prepared });
            return { key, runId, value, stored: prepared.writer.stored };
          } catch (error) {
            lastSeq = prepared.writer.stored.at(-1)?.seq ?? 0;
            // A lost lease can write nothing more; otherwise the failed turn is taken back.
            if (!isLockExpired(context.signal.reason)) await prepared.writer.takeBack(this.sessions, key, { keepOpening: keepUser }).catch(noop);
            if (context.signal.aborted) throw context.signal.reason;
            throw error;
          }
        },
        { waitMs, history: false, ...(options.signal ? { signal: options.signal } : {}) },
      );
    } catch (error) {
      if (generated) await this.#dropIfEmpty(key, lastSeq);
      throw error;
    }
  }

  async #open(target: AgentTarget): Promise<{ key: SessionKey; generated: boolean }> {
    assertId(target.userId, 'target.userId');
    if (target.sessionId === undefined) {
      const session = await this.sessions.create({ userId: target.userId });
      return { key: { userId: session.userId, sessionId: session.sessionId }, generated: true };
    }
    assertId(target.sessionId, 'target.sessionId');
    const session = await this.sessions.getOrCreate({ userId: target.userId, sessionId: target.sessionId });
    return { key: { userId: session.userId, sessionId: session.sessionId }, generated: false };
  }

  /**
   * A session this call created for a turn that then failed with nothing stored is removed
   * again, unless someone else wrote to it meanwhile (its last seq is not this turn's).
   */
  async #dropIfEmpty(key: SessionKey, lastSeq: number): Promise<void> {
    try {
      const session = await this.sessions.get(key);
      if (session && session.messageCount === 0 && (session.lastSeq === 0 || session.lastSeq === lastSeq)) await this.sessions.delete(key);
    } catch {
      // Cleanup is best effort; the turn's own error is what the caller needs.
    }
  }
}

function isLockExpired(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'LOCK_EXPIRED';
}

interface StepsLike<TOOLS extends ToolSet> {
  readonly text: string;
  readonly finishReason: FinishReason;
  readonly steps: StepResult<TOOLS>[];
  readonly response: { readonly messages: ModelMessage[] };
}

function toRunResult<TOOLS extends ToolSet>(
  key: SessionKey,
  runId: string,
  result: StepsLike<TOOLS>,
  usage: LanguageModelUsage,
  stored: Message[],
): AgentRunResult<TOOLS> {
  return {
    userId: key.userId,
    sessionId: key.sessionId,
    runId,
    text: result.text,
    finishReason: result.finishReason,
    usage,
    steps: result.steps,
    responseMessages: result.response.messages,
    messages: stored,
  };
}
