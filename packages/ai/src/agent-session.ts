import { SessionNotFoundError, ValidationError, type JsonObject, type Message, type Session, type SessionExport, type SessionKey } from '@sessions/core';
import { assertId, cloneJson, describeType, isPlainObject, toExport } from '@sessions/core/engine';
import type { ModelMessage, ToolSet } from 'ai';
import type { Agent } from './agent.js';
import type { AgentJsonResult, AgentRunResult, AgentStream, JsonOptions, TurnOptions } from './agent-types.js';
import { fromModelMessages } from './convert/model-messages.js';
import { isSessionManager } from './session-manager-check.js';
import type { AgentInput } from './input.js';

export interface AgentSessionOptions {
  userId: string;
  /** Open this session (created when missing); omitted: a new session. */
  sessionId?: string;
  /** Replaces the agent's system prompt for this handle's turns (kept in `toJSON`, not stored in the session). */
  system?: string;
  /** Initial messages of a session this call creates; ignored when the session exists. */
  messages?: readonly ModelMessage[];
  /** Title and metadata of a session this call creates. */
  title?: string;
  metadata?: JsonObject;
}

export interface AgentSessionOpOptions {
  waitMs?: number;
  signal?: AbortSignal;
}

/** What `toJSON()` writes, version 1: the handle's system prompt and a core session export. */
export interface AgentSessionJSON {
  format: 'sessions.ai.session';
  version: 1;
  system: string | null;
  session: SessionExport;
}

const FORMAT = 'sessions.ai.session';

/**
 * One session of one agent, held for a conversation. Turns, like the agent's, go through the
 * session's lease; the handle also keeps a copy of the session's messages (`messages`), kept
 * current after each operation made through it (and re-read when another writer got in between).
 */
export class AgentSession<TOOLS extends ToolSet = ToolSet> {
  readonly agent: Agent<TOOLS>;
  readonly userId: string;
  readonly sessionId: string;
  readonly system: string | undefined;
  #session: Session;
  #messages: Message[];

  private constructor(agent: Agent<TOOLS>, session: Session, messages: Message[], system: string | undefined) {
    this.agent = agent;
    this.userId = session.userId;
    this.sessionId = session.sessionId;
    this.system = system;
    this.#session = session;
    this.#messages = messages;
  }

  /** Opens (creating when missing) the session described by `options`; see `Agent.session`. */
  static async open<TOOLS extends ToolSet>(agent: Agent<TOOLS>, options: AgentSessionOptions): Promise<AgentSession<TOOLS>> {
    if (!isPlainObject(options))
      throw new ValidationError(`expected { userId, sessionId?, system?, messages? }, got ${describeType(options)}`, { path: 'options' });
    assertId(options.userId, 'options.userId');
    if (options.system !== undefined && typeof options.system !== 'string') throw new ValidationError('must be a string', { path: 'options.system' });
    const seed = {
      userId: options.userId,
      ...(options.messages === undefined
        ? {}
        : { messages: fromModelMessages(options.messages, agent.agentId === undefined ? {} : { agentId: agent.agentId }) }),
      ...(options.title === undefined ? {} : { title: options.title }),
      ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
    };
    const session =
      options.sessionId === undefined ? await agent.sessions.create(seed) : await agent.sessions.getOrCreate({ ...seed, sessionId: options.sessionId });
    const messages = await agent.sessions.messages(session);
    return new AgentSession(agent, session, messages, options.system);
  }

  /**
   * A handle from `toJSON()` output (the object or its JSON text). When the session is not in
   * the agent's store it is imported from the snapshot (seq, ids and timestamps kept); when it
   * is, the stored session wins and the snapshot's messages are not used.
   */
  static async fromJSON<TOOLS extends ToolSet>(data: unknown, options: { agent: Agent<TOOLS> }): Promise<AgentSession<TOOLS>> {
    const agent = isPlainObject(options) ? options.agent : undefined;
    // By shape, like the agent's own check of its SessionManager: the handle needs the agent's store and turns.
    if (typeof agent !== 'object' || agent === null || typeof agent.run !== 'function' || !isSessionManager(agent.sessions)) {
      throw new ValidationError('fromJSON needs { agent }: the agent (from createAgent) whose store holds, or receives, the session', {
        path: 'options.agent',
      });
    }
    const value = typeof data === 'string' ? parseJson(data) : data;
    if (!isPlainObject(value) || value['format'] !== FORMAT)
      throw new ValidationError(`not an agent session snapshot: "format" must be "${FORMAT}"`, { path: 'data.format' });
    if (value['version'] !== 1)
      throw new ValidationError(`unsupported snapshot version ${JSON.stringify(value['version'])}; this version reads 1`, { path: 'data.version' });
    const system = value['system'];
    if (system !== null && typeof system !== 'string') throw new ValidationError('must be a string or null', { path: 'data.system' });
    if (!isPlainObject(value['session']))
      throw new ValidationError(`must be a session export (from toJSON()), got ${describeType(value['session'])}`, { path: 'data.session' });
    const imported = await agent.sessions.import(value['session'], { onConflict: 'skip' });
    const messages = await agent.sessions.messages(imported);
    return new AgentSession(agent, imported, messages, system ?? undefined);
  }

  get key(): SessionKey {
    return { userId: this.userId, sessionId: this.sessionId };
  }

  /** A copy of the session's messages, oldest first, as of the handle's last operation. */
  get messages(): Message[] {
    return this.#messages.map(copyMessage);
  }

  /** A copy of the session record as of the handle's last operation. */
  get info(): Session {
    return copySession(this.#session);
  }

  run(input: AgentInput, options: TurnOptions<TOOLS> = {}): Promise<AgentRunResult<TOOLS>> {
    return this.agent.run(this.key, input, this.#turnOptions(options)).then((result) => this.#afterTurn(result));
  }

  json<OBJECT>(input: AgentInput, options: JsonOptions<OBJECT, TOOLS>): Promise<AgentJsonResult<OBJECT, TOOLS>> {
    return this.agent.json<OBJECT>(this.key, input, this.#turnOptions(options)).then((result) => this.#afterTurn(result));
  }

  /** A streamed turn; its `result` settles once the handle's `messages` include the turn. */
  stream(input: AgentInput, options: TurnOptions<TOOLS> = {}): AgentStream<TOOLS> {
    const stream = this.agent.stream(this.key, input, this.#turnOptions(options));
    const result = stream.result.then((turn) => this.#afterTurn(turn));
    result.catch(() => undefined);
    return {
      [Symbol.asyncIterator]: () => stream[Symbol.asyncIterator](),
      textStream: stream.textStream,
      sessionId: stream.sessionId,
      abort: (reason?: unknown) => stream.abort(reason),
      result,
    };
  }

  /** Appends messages (model messages, system messages included) under the session's lease. */
  async addMessage(message: ModelMessage | readonly ModelMessage[], options: AgentSessionOpOptions = {}): Promise<Message[]> {
    const records = fromModelMessages(
      Array.isArray(message) ? (message as readonly ModelMessage[]) : [message as ModelMessage],
      this.agent.agentId === undefined ? {} : { agentId: this.agent.agentId },
    );
    const { stored, before } = await this.agent.sessions.run(this.key, async ({ append, session }) => ({ stored: await append(records), before: session }), {
      ...runOptions(options),
      history: false,
    });
    await this.#absorb(before, stored);
    return stored.map(copyMessage);
  }

  /** Removes every message (the session stays); returns how many went. */
  async clear(options: AgentSessionOpOptions = {}): Promise<number> {
    const count = await this.agent.sessions.run(this.key, ({ lease }) => this.agent.sessions.clear(this.key, { lease }), {
      ...runOptions(options),
      history: false,
    });
    await this.refresh();
    return count;
  }

  /** A new session with a copy of this one's messages (lineage recorded); this one is unchanged. */
  async fork(options: { sessionId?: string; title?: string | null } = {}): Promise<AgentSession<TOOLS>> {
    const forked = await this.agent.sessions.fork(this.key, options);
    const messages = await this.agent.sessions.messages(forked);
    return new AgentSession(this.agent, forked, messages, this.system);
  }

  /** Re-reads the session and its messages. */
  async refresh(): Promise<void> {
    const session = await this.agent.sessions.get(this.key);
    if (!session) throw new SessionNotFoundError(this.key);
    this.#session = session;
    this.#messages = await this.agent.sessions.messages(this.key);
  }

  /** A snapshot: the system prompt and the session as a core export (see `fromJSON`). */
  toJSON(): AgentSessionJSON {
    return { format: FORMAT, version: 1, system: this.system ?? null, session: toExport(this.#session, this.#messages) };
  }

  #turnOptions<O extends TurnOptions<TOOLS>>(options: O): O {
    return this.system === undefined || options.system !== undefined ? options : { ...options, system: this.system };
  }

  async #afterTurn<R extends AgentRunResult<TOOLS>>(result: R): Promise<R> {
    const first = result.messages[0];
    await this.#absorb(first ? { lastSeq: first.seq - 1 } : null, result.messages);
    return result;
  }

  /**
   * Adds what this handle just stored to its copy when nobody else wrote in between (the
   * session's count and last seq then match), else re-reads everything.
   */
  async #absorb(before: Pick<Session, 'lastSeq'> | null, stored: Message[]): Promise<void> {
    const session = await this.agent.sessions.get(this.key);
    const contiguous =
      session !== null &&
      before !== null &&
      before.lastSeq === this.#session.lastSeq &&
      session.messageCount === this.#messages.length + stored.length &&
      session.lastSeq === (stored.at(-1)?.seq ?? before.lastSeq);
    if (session && contiguous) {
      this.#session = session;
      this.#messages.push(...stored);
      return;
    }
    await this.refresh();
  }
}

function runOptions(options: AgentSessionOpOptions): { waitMs?: number; signal?: AbortSignal } {
  return { ...(options.waitMs === undefined ? {} : { waitMs: options.waitMs }), ...(options.signal ? { signal: options.signal } : {}) };
}

function copyMessage(message: Message): Message {
  return {
    ...message,
    content: cloneJson(message.content),
    toolCalls: message.toolCalls === null ? null : cloneJson(message.toolCalls),
    metadata: cloneJson(message.metadata),
    createdAt: new Date(message.createdAt.getTime()),
  };
}

function copySession(session: Session): Session {
  return {
    ...session,
    metadata: cloneJson(session.metadata),
    state: cloneJson(session.state),
    createdAt: new Date(session.createdAt.getTime()),
    updatedAt: new Date(session.updatedAt.getTime()),
    expiresAt: session.expiresAt === null ? null : new Date(session.expiresAt.getTime()),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ValidationError(`the snapshot is not valid JSON: ${(cause as Error).message}`, { path: 'data', cause });
  }
}
