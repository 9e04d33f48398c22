import { ValidationError, type JsonObject, type JsonValue, type Message, type MessageInput } from '@sessions/core';
import { isPlainObject } from '@sessions/core/engine';
import { convertToModelMessages, modelMessageSchema, type ModelMessage, type ToolSet } from 'ai';
import { decodeData, encodeData } from './binary-data.js';
import { toJsonValue, withoutUndefined } from './json-safe.js';
import { aiMetadataOf, assertStoredMessages, compactionOf, isUiMessageRecord, type AiMessageMetadata } from './stored-shape.js';
import { toUIMessage } from './ui-messages.js';

export interface FromModelMessagesOptions {
  /** Stored in every message's `runId` (one id per agent turn). */
  runId?: string;
  /** Stored in every message's `agentId`. */
  agentId?: string;
}

/**
 * Stored-message inputs for AI SDK model messages, ready for `SessionManager.append`. The
 * content parts are stored as the SDK gives them (binary file data as tagged base64), so
 * {@link toModelMessages} gives back equal messages. For inspection by other tools, an
 * assistant message's tool calls are also listed in `toolCalls`, and a tool message with one
 * result names its `toolCallId` and tool (`name`).
 *
 * @example
 * await sessions.append(key, fromModelMessages(result.response.messages))
 */
export function fromModelMessages(messages: readonly ModelMessage[], options: FromModelMessagesOptions = {}): MessageInput[] {
  if (!Array.isArray(messages)) throw new ValidationError('expected an array of model messages', { path: 'messages' });
  return messages.map((message, i) => fromModelMessage(message, `messages[${i}]`, options));
}

function fromModelMessage(message: ModelMessage, path: string, options: FromModelMessagesOptions): MessageInput {
  assertModelMessage(message, path);
  const ai: AiMessageMetadata = {};
  if (message.providerOptions !== undefined) ai.providerOptions = toJsonValue(message.providerOptions, `${path}.providerOptions`) as JsonObject;
  const content = typeof message.content === 'string' ? message.content : message.content.map((part, i) => encodePart(part, `${path}.content[${i}]`));
  const input: MessageInput = { role: message.role, content, metadata: Object.keys(ai).length > 0 ? { ai: ai as JsonObject } : {} };
  if (options.runId !== undefined) input.runId = options.runId;
  if (options.agentId !== undefined) input.agentId = options.agentId;
  if (Array.isArray(content)) {
    const calls = content.filter((part) => isPart(part, 'tool-call')) as JsonObject[];
    if (message.role === 'assistant' && calls.length > 0) {
      input.toolCalls = calls.map((call) => ({ toolCallId: call['toolCallId']!, toolName: call['toolName']!, input: call['input'] ?? null }));
    }
    const results = content.filter((part) => isPart(part, 'tool-result')) as JsonObject[];
    if (message.role === 'tool' && results.length === 1) {
      input.toolCallId = results[0]!['toolCallId'] as string;
      input.name = results[0]!['toolName'] as string;
    }
  }
  return input;
}

function assertModelMessage(message: unknown, path: string): asserts message is ModelMessage {
  const parsed = modelMessageSchema.safeParse(message);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `.${issue.path.join('.')}` : '';
    throw new ValidationError(`is not an AI SDK ModelMessage (${issue?.message ?? 'invalid'}${where ? ` at ${where.slice(1)}` : ''})`, { path: path + where });
  }
}

function encodePart(part: unknown, path: string): JsonValue {
  const record = part as Record<string, unknown>;
  if (record['type'] === 'image') return toJsonValue({ ...record, image: encodeData(record['image'], `${path}.image`) }, path);
  if (record['type'] === 'file') return toJsonValue({ ...record, data: encodeData(record['data'], `${path}.data`) }, path);
  return toJsonValue(part, path);
}

function isPart(part: JsonValue, type: string): boolean {
  return isPlainObject(part) && part['type'] === type;
}

export interface ToModelMessagesOptions {
  /** The agent's tools, for UI messages whose tool outputs need the tool's `toModelOutput`. */
  tools?: ToolSet;
}

/**
 * AI SDK model messages for stored messages, oldest first: the exact inverse of
 * {@link fromModelMessages}. Stored UI messages (from `saveUIMessages`) go through the SDK's
 * `convertToModelMessages`; compaction summaries are left out (the agent sends the latest
 * one as a system message). Messages written by other code map by role, with OpenAI-style
 * `toolCalls` and `toolCallId` turned into tool-call and tool-result parts; parts the SDK does
 * not know (another tool's shape, such as `@sessions/openai-agents` items) carry over as their
 * text only, and what has no text (an empty assistant message included), or answers a tool
 * call that was not carried over, is left out, so the model request stays valid.
 */
export async function toModelMessages(messages: readonly Message[], options: ToModelMessagesOptions = {}): Promise<ModelMessage[]> {
  assertStoredMessages(messages);
  const out: ModelMessage[] = [];
  const reading = new ReadingContext();
  for (const message of messages) {
    if (compactionOf(message)) continue;
    if (isUiMessageRecord(message)) {
      const converted = await convertToModelMessages([toUIMessage(message)], options.tools ? { tools: options.tools } : {});
      for (const model of converted) reading.saw(model);
      out.push(...converted);
      continue;
    }
    const model = toModelMessage(message, reading);
    if (model) out.push(model);
  }
  return out;
}

/** What the messages read so far hold: the tool calls a foreign tool result may answer. */
export class ReadingContext {
  readonly #calls = new Set<string>();

  saw(message: ModelMessage): void {
    if (message.role !== 'assistant' || typeof message.content === 'string') return;
    for (const part of message.content) if (part.type === 'tool-call') this.#calls.add(part.toolCallId);
  }

  answers(toolCallId: string | null): boolean {
    return toolCallId !== null && this.#calls.has(toolCallId);
  }
}

// The part types the SDK's ModelMessage schema allows for each role.
const PART_TYPES: Readonly<Record<'user' | 'assistant' | 'tool', ReadonlySet<unknown>>> = {
  user: new Set(['text', 'image', 'file']),
  assistant: new Set(['text', 'file', 'reasoning', 'tool-call', 'tool-result', 'tool-approval-request']),
  tool: new Set(['tool-result', 'tool-approval-response']),
};

// Text parts in the shapes other tools store: the AI SDK's, the OpenAI Responses API's (input and output).
const TEXT_PART_TYPES: ReadonlySet<unknown> = new Set(['text', 'input_text', 'output_text']);

/**
 * One stored (non-UI) message as a model message, or null when it says nothing the model can
 * be sent (see {@link toModelMessages}). `reading` tracks the tool calls read so far.
 */
export function toModelMessage(
  message: Pick<Message, 'role' | 'content' | 'metadata' | 'toolCalls' | 'toolCallId' | 'name'>,
  reading: ReadingContext,
): ModelMessage | null {
  const model = readModelMessage(message, reading);
  if (model) reading.saw(model);
  return model;
}

function readModelMessage(
  message: Pick<Message, 'role' | 'content' | 'metadata' | 'toolCalls' | 'toolCallId' | 'name'>,
  reading: ReadingContext,
): ModelMessage | null {
  const providerOptions = aiMetadataOf(message).providerOptions;
  const extra = providerOptions === undefined ? {} : { providerOptions };
  const content = message.content;
  if (
    message.role !== 'system' &&
    Array.isArray(content) &&
    !content.every((part) => isPlainObject(part) && PART_TYPES[message.role as 'user'].has(part['type']))
  ) {
    return foreignMessage(message, content, extra);
  }
  switch (message.role) {
    case 'system':
      return { role: 'system', content: typeof content === 'string' ? content : textOf(content), ...extra } as ModelMessage;
    case 'user':
      return { role: 'user', content: typeof content === 'string' ? content : content.map(decodePart), ...extra } as ModelMessage;
    case 'assistant': {
      const parts = typeof content === 'string' ? content : content.map(decodePart);
      const hasCalls = typeof parts !== 'string' && parts.some((part) => part['type'] === 'tool-call');
      const foreignCalls = hasCalls ? [] : foreignToolCalls(message.toolCalls);
      // Nothing to send (another tool's call in a shape this package cannot read, a reasoning item of
      // another SDK): the SDK itself never writes an empty assistant message, and providers refuse them.
      if (foreignCalls.length === 0 && isEmpty(parts)) return null;
      if (foreignCalls.length === 0) return { role: 'assistant', content: parts, ...extra } as ModelMessage;
      const base = typeof parts === 'string' ? (parts === '' ? [] : [{ type: 'text', text: parts }]) : parts;
      return { role: 'assistant', content: [...base, ...foreignCalls], ...extra } as ModelMessage;
    }
    case 'tool': {
      if (typeof content !== 'string') return { role: 'tool', content: content.map(decodePart), ...extra } as ModelMessage;
      // Another tool's result: sent only with the call it answers, or the request would be invalid.
      if (!reading.answers(message.toolCallId ?? null)) return null;
      const result = { type: 'tool-result', toolCallId: message.toolCallId, toolName: message.name ?? '', output: { type: 'text', value: content } };
      return { role: 'tool', content: [result], ...extra } as ModelMessage;
    }
  }
}

/** A message in another tool's shape: its text, or null when it has none (tool results never carry over: their call did not). */
function foreignMessage(message: Pick<Message, 'role'>, parts: JsonValue[], extra: object): ModelMessage | null {
  if (message.role === 'tool') return null;
  const texts: string[] = [];
  for (const part of parts) {
    if (typeof part === 'string') texts.push(part);
    else if (isPlainObject(part) && TEXT_PART_TYPES.has(part['type']) && typeof part['text'] === 'string') texts.push(part['text']);
  }
  const text = texts.filter((piece) => piece.length > 0);
  if (text.length === 0) return null;
  return { role: message.role, content: text.map((piece) => ({ type: 'text', text: piece })), ...extra } as ModelMessage;
}

function isEmpty(parts: string | Record<string, unknown>[]): boolean {
  return typeof parts === 'string' ? parts === '' : parts.length === 0;
}

function decodePart(part: JsonValue): Record<string, unknown> {
  if (!isPlainObject(part)) return { type: 'text', text: typeof part === 'string' ? part : JSON.stringify(part) };
  const record = part;
  if (record['type'] === 'image') return { ...record, image: decodeData(record['image']) };
  if (record['type'] === 'file') return { ...record, data: decodeData(record['data']) };
  return record;
}

function textOf(parts: JsonValue[]): string {
  return parts.map((part) => (isPlainObject(part) && typeof part['text'] === 'string' ? part['text'] : '')).join('');
}

/** Tool calls stored by other writers in `toolCalls`: this package's shape or OpenAI's. */
function foreignToolCalls(toolCalls: JsonValue[] | null): Record<string, unknown>[] {
  if (!toolCalls) return [];
  const calls: Record<string, unknown>[] = [];
  for (const call of toolCalls) {
    if (!isPlainObject(call)) continue;
    const record = call;
    if (typeof record['toolCallId'] === 'string' && typeof record['toolName'] === 'string') {
      calls.push({ type: 'tool-call', toolCallId: record['toolCallId'], toolName: record['toolName'], input: record['input'] ?? {} });
      continue;
    }
    const fn = record['function'];
    if (typeof record['id'] === 'string' && isPlainObject(fn) && typeof fn['name'] === 'string') {
      const args = fn['arguments'];
      calls.push(withoutUndefined({ type: 'tool-call', toolCallId: record['id'], toolName: fn['name'], input: parseArguments(args) }));
    }
  }
  return calls;
}

function parseArguments(args: JsonValue | undefined): unknown {
  if (typeof args !== 'string') return args ?? {};
  try {
    return JSON.parse(args);
  } catch {
    return args;
  }
}
