import { isPlainObject, ValidationError, type JsonObject, type JsonValue, type Message, type MessageInput } from '@sessions/core';
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
  return isPlainObject(part) && (part as JsonObject)['type'] === type;
}

export interface ToModelMessagesOptions {
  /** The agent's tools, for UI messages whose tool outputs need the tool's `toModelOutput`. */
  tools?: ToolSet;
}

/**
 * AI SDK model messages for stored messages, oldest first: the exact inverse of
 * {@link fromModelMessages}. Stored UI messages (from `saveUIMessages`) go through the SDK's
 * `convertToModelMessages`; compaction summaries are left out (the agent sends the latest
 * one as a system message); messages written by other code map by role, with OpenAI-style
 * `toolCalls` and `toolCallId` turned into tool-call and tool-result parts.
 */
export async function toModelMessages(messages: readonly Message[], options: ToModelMessagesOptions = {}): Promise<ModelMessage[]> {
  assertStoredMessages(messages);
  const out: ModelMessage[] = [];
  for (const message of messages) {
    if (compactionOf(message)) continue;
    if (isUiMessageRecord(message)) {
      out.push(...(await convertToModelMessages([toUIMessage(message)], options.tools ? { tools: options.tools } : {})));
      continue;
    }
    out.push(toModelMessage(message));
  }
  return out;
}

/** One stored (non-UI) message as a model message. */
export function toModelMessage(message: Pick<Message, 'role' | 'content' | 'metadata' | 'toolCalls' | 'toolCallId' | 'name'>): ModelMessage {
  const providerOptions = aiMetadataOf(message).providerOptions;
  const extra = providerOptions === undefined ? {} : { providerOptions };
  const content = message.content;
  switch (message.role) {
    case 'system':
      return { role: 'system', content: typeof content === 'string' ? content : textOf(content), ...extra } as ModelMessage;
    case 'user':
      return { role: 'user', content: typeof content === 'string' ? content : content.map(decodePart), ...extra } as ModelMessage;
    case 'assistant': {
      const parts = typeof content === 'string' ? content : content.map(decodePart);
      const foreignCalls = typeof parts === 'string' || !parts.some((part) => part['type'] === 'tool-call') ? foreignToolCalls(message.toolCalls) : [];
      if (foreignCalls.length === 0) return { role: 'assistant', content: parts, ...extra } as ModelMessage;
      const base = typeof parts === 'string' ? (parts === '' ? [] : [{ type: 'text', text: parts }]) : parts;
      return { role: 'assistant', content: [...base, ...foreignCalls], ...extra } as ModelMessage;
    }
    case 'tool': {
      if (typeof content !== 'string') return { role: 'tool', content: content.map(decodePart), ...extra } as ModelMessage;
      const result = { type: 'tool-result', toolCallId: message.toolCallId ?? '', toolName: message.name ?? '', output: { type: 'text', value: content } };
      return { role: 'tool', content: [result], ...extra } as ModelMessage;
    }
  }
}

function decodePart(part: JsonValue): Record<string, unknown> {
  if (!isPlainObject(part)) return { type: 'text', text: typeof part === 'string' ? part : JSON.stringify(part) };
  const record = part as JsonObject;
  if (record['type'] === 'image') return { ...record, image: decodeData(record['image']) };
  if (record['type'] === 'file') return { ...record, data: decodeData(record['data']) };
  return record;
}

function textOf(parts: JsonValue[]): string {
  return parts.map((part) => (isPlainObject(part) && typeof (part as JsonObject)['text'] === 'string' ? (part as JsonObject)['text'] : '')).join('');
}

/** Tool calls stored by other writers in `toolCalls`: this package's shape or OpenAI's. */
function foreignToolCalls(toolCalls: JsonValue[] | null): Record<string, unknown>[] {
  if (!toolCalls) return [];
  const calls: Record<string, unknown>[] = [];
  for (const call of toolCalls) {
    if (!isPlainObject(call)) continue;
    const record = call as JsonObject;
    if (typeof record['toolCallId'] === 'string' && typeof record['toolName'] === 'string') {
      calls.push({ type: 'tool-call', toolCallId: record['toolCallId'], toolName: record['toolName'], input: record['input'] ?? {} });
      continue;
    }
    const fn = record['function'];
    if (typeof record['id'] === 'string' && isPlainObject(fn) && typeof (fn as JsonObject)['name'] === 'string') {
      const args = (fn as JsonObject)['arguments'];
      calls.push(withoutUndefined({ type: 'tool-call', toolCallId: record['id'], toolName: (fn as JsonObject)['name'], input: parseArguments(args) }));
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
