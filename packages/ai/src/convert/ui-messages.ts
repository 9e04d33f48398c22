import { ValidationError, type JsonObject, type JsonValue, type Message, type MessageInput } from '@sessions/core';
import { assertId, describeType, isPlainObject } from '@sessions/core/engine';
import type { ModelMessage, UIMessage } from 'ai';
import { dataToUrl, type DataValue } from './binary-data.js';
import { toJsonValue } from './json-safe.js';
import { ReadingContext, toModelMessage } from './model-messages.js';
import { aiMetadataOf, assertStoredMessages, compactionOf, isUiMessageRecord, type AiMessageMetadata } from './stored-shape.js';

type UIPart = UIMessage['parts'][number];
type Mutable = Record<string, unknown>;

const UI_ROLES = ['system', 'user', 'assistant'] as const;

export interface FromUIMessagesOptions {
  runId?: string;
  agentId?: string;
}

/**
 * Stored-message inputs for `UIMessage`s (what `useChat` holds): one stored message per UI
 * message, with the same id, the parts as `content` and the UI message's `metadata` kept, so
 * {@link toUIMessages} gives back equal messages. An id that cannot be a stored id (empty,
 * over 255 characters, control characters) is kept in the metadata and the stored message
 * gets a generated one.
 */
export function fromUIMessages(messages: readonly UIMessage[], options: FromUIMessagesOptions = {}): MessageInput[] {
  if (!Array.isArray(messages)) throw new ValidationError(`expected an array of UI messages, got ${describeType(messages)}`, { path: 'messages' });
  return messages.map((message, i) => fromUIMessage(message, `messages[${i}]`, options));
}

function fromUIMessage(message: UIMessage, path: string, options: FromUIMessagesOptions): MessageInput {
  if (!isPlainObject(message)) throw new ValidationError(`expected a UIMessage { id, role, parts }, got ${describeType(message)}`, { path });
  if (typeof message.id !== 'string') throw new ValidationError(`id must be a string, got ${describeType(message.id)}`, { path: `${path}.id` });
  if (!UI_ROLES.includes(message.role))
    throw new ValidationError(`role must be system, user or assistant, got ${JSON.stringify(message.role)}`, { path: `${path}.role` });
  if (!Array.isArray(message.parts)) throw new ValidationError(`parts must be an array, got ${describeType(message.parts)}`, { path: `${path}.parts` });
  const ai: AiMessageMetadata = { format: 'ui-message' };
  if (message.metadata !== undefined) ai.uiMetadata = toJsonValue(message.metadata, `${path}.metadata`);
  const input: MessageInput = {
    role: message.role,
    content: toJsonValue(message.parts, `${path}.parts`) as JsonValue[],
    metadata: { ai: ai as JsonObject },
  };
  if (isStorableId(message.id)) input.id = message.id;
  else ai.uiId = message.id;
  const toolCalls = (input.content as JsonObject[]).filter(isToolPart).map((part) => ({
    toolCallId: String(part['toolCallId']),
    toolName: toolNameOf(part),
    input: part['input'] ?? null,
  }));
  if (toolCalls.length > 0) input.toolCalls = toolCalls;
  if (options.runId !== undefined) input.runId = options.runId;
  if (options.agentId !== undefined) input.agentId = options.agentId;
  return input;
}

function isStorableId(id: string): boolean {
  try {
    assertId(id, 'id');
    return true;
  } catch {
    return false;
  }
}

function isToolPart(part: JsonValue): part is JsonObject {
  if (!isPlainObject(part)) return false;
  const type = part['type'];
  return typeof type === 'string' && (type.startsWith('tool-') || type === 'dynamic-tool');
}

function toolNameOf(part: JsonObject): string {
  return part['type'] === 'dynamic-tool' ? String(part['toolName']) : String(part['type']).slice('tool-'.length);
}

/** A stored UI message (see {@link fromUIMessages}) as the `UIMessage` it was. */
export function toUIMessage(message: Pick<Message, 'id' | 'role' | 'content' | 'metadata'>): UIMessage {
  const ai = aiMetadataOf(message);
  const ui: UIMessage = {
    id: ai.uiId ?? message.id,
    role: message.role === 'tool' ? 'assistant' : message.role,
    parts: (typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content) as UIPart[],
  };
  if (ai.uiMetadata !== undefined) ui.metadata = ai.uiMetadata;
  return ui;
}

/**
 * `UIMessage`s for stored messages, for `useChat`. Stored UI messages come back exactly as
 * saved. Model messages (written by an agent run) are grouped the way the SDK's UI stream
 * groups them: each assistant turn, with its tool calls and results, becomes one assistant UI
 * message (a `step-start` part per model step, tool parts in their final state), whose id is
 * the id of its first stored message. Compaction summaries are left out.
 */
export function toUIMessages(messages: readonly Message[]): UIMessage[] {
  assertStoredMessages(messages);
  return groupUIMessages(messages).map((group) => group.ui);
}

/** A UI message with the stored messages it was built from. */
export interface UIMessageGroup {
  ui: UIMessage;
  messages: Message[];
}

export function groupUIMessages(messages: readonly Message[]): UIMessageGroup[] {
  const out: UIMessageGroup[] = [];
  let turn: AssistantTurn | null = null;
  const reading = new ReadingContext();
  for (const message of messages) {
    if (compactionOf(message)) continue;
    if (isUiMessageRecord(message)) {
      turn = null;
      out.push({ ui: toUIMessage(message), messages: [message] });
      continue;
    }
    const model = toModelMessage(message, reading);
    if (!model) continue;
    if (model.role === 'assistant' || model.role === 'tool') {
      if (!turn) {
        turn = new AssistantTurn(message.id);
        out.push({ ui: turn.message, messages: [] });
      }
      out.at(-1)!.messages.push(message);
      if (model.role === 'assistant') turn.addAssistant(model.content);
      else turn.addToolResults(model.content);
      continue;
    }
    turn = null;
    out.push({ ui: { id: message.id, role: model.role, parts: userParts(model) }, messages: [message] });
  }
  return out;
}

function userParts(message: ModelMessage): UIPart[] {
  if (typeof message.content === 'string') return [{ type: 'text', text: message.content }];
  return (message.content as Mutable[]).map((part): UIPart => {
    const metadata = part['providerOptions'] === undefined ? {} : { providerMetadata: part['providerOptions'] };
    if (part['type'] === 'image') {
      const mediaType = (part['mediaType'] as string | undefined) ?? 'image/*';
      return { type: 'file', mediaType, url: dataToUrl(part['image'] as DataValue, mediaType), ...metadata } as UIPart;
    }
    if (part['type'] === 'file') {
      const mediaType = part['mediaType'] as string;
      const filename = part['filename'] === undefined ? {} : { filename: part['filename'] };
      return { type: 'file', mediaType, ...filename, url: dataToUrl(part['data'] as DataValue, mediaType), ...metadata } as UIPart;
    }
    return { type: 'text', text: String(part['text'] ?? ''), ...metadata } as UIPart;
  });
}

/** Builds one assistant UI message from the model messages of one turn. */
class AssistantTurn {
  readonly message: UIMessage;
  readonly #tools = new Map<string, Mutable>();
  readonly #approvals = new Map<string, Mutable>();

  constructor(id: string) {
    this.message = { id, role: 'assistant', parts: [] };
  }

  addAssistant(content: ModelMessage['content']): void {
    this.#push({ type: 'step-start' });
    if (typeof content === 'string') {
      if (content !== '') this.#push({ type: 'text', text: content, state: 'done' });
      return;
    }
    for (const part of content as Mutable[]) {
      const metadata = part['providerOptions'] === undefined ? {} : { providerMetadata: part['providerOptions'] };
      switch (part['type']) {
        case 'text':
          this.#push({ type: 'text', text: part['text'], state: 'done', ...metadata });
          break;
        case 'reasoning':
          this.#push({ type: 'reasoning', text: part['text'], state: 'done', ...metadata });
          break;
        case 'file': {
          const mediaType = part['mediaType'] as string;
          const filename = part['filename'] === undefined ? {} : { filename: part['filename'] };
          this.#push({ type: 'file', mediaType, ...filename, url: dataToUrl(part['data'] as DataValue, mediaType), ...metadata });
          break;
        }
        case 'tool-call':
          this.#toolCall(part);
          break;
        case 'tool-result':
          this.#toolResult(part);
          break;
        case 'tool-approval-request': {
          const tool = this.#tool(part['toolCallId'] as string, undefined);
          const approval: Mutable = { id: part['approvalId'] };
          if (part['signature'] !== undefined) approval['signature'] = part['signature'];
          if (Object.hasOwn(part, 'inputSchemaInput')) approval['inputSchemaInput'] = part['inputSchemaInput'];
          tool['state'] = 'approval-requested';
          tool['approval'] = approval;
          this.#approvals.set(part['approvalId'] as string, tool);
          break;
        }
      }
    }
  }

  addToolResults(content: ModelMessage['content']): void {
    if (typeof content === 'string') return;
    for (const part of content as Mutable[]) {
      if (part['type'] === 'tool-result') this.#toolResult(part);
      if (part['type'] === 'tool-approval-response') {
        const tool = this.#approvals.get(part['approvalId'] as string);
        if (!tool) continue;
        const approval: Mutable = { ...(tool['approval'] as Mutable), approved: part['approved'] };
        if (part['reason'] !== undefined) approval['reason'] = part['reason'];
        tool['approval'] = approval;
        tool['state'] = 'approval-responded';
      }
    }
  }

  #toolCall(part: Mutable): void {
    const tool = this.#tool(part['toolCallId'] as string, part['toolName'] as string);
    tool['state'] = 'input-available';
    tool['input'] = part['input'];
    if (part['providerExecuted'] !== undefined) tool['providerExecuted'] = part['providerExecuted'];
    if (part['providerOptions'] !== undefined) tool['callProviderMetadata'] = part['providerOptions'];
  }

  #toolResult(part: Mutable): void {
    const tool = this.#tool(part['toolCallId'] as string, part['toolName'] as string);
    const output = (part['output'] ?? {}) as Mutable;
    switch (output['type']) {
      case 'error-text':
        tool['state'] = 'output-error';
        tool['errorText'] = output['value'];
        break;
      case 'error-json':
        tool['state'] = 'output-error';
        tool['errorText'] = JSON.stringify(output['value']);
        break;
      case 'execution-denied': {
        tool['state'] = 'output-denied';
        const approval: Mutable = { ...((tool['approval'] as Mutable | undefined) ?? { id: '' }), approved: false };
        if (output['reason'] !== undefined) approval['reason'] = output['reason'];
        tool['approval'] = approval;
        break;
      }
      default:
        tool['state'] = 'output-available';
        tool['output'] = output['value'];
    }
    if (part['providerOptions'] !== undefined) tool['resultProviderMetadata'] = part['providerOptions'];
  }

  #tool(toolCallId: string, toolName: string | undefined): Mutable {
    let tool = this.#tools.get(toolCallId);
    if (!tool) {
      tool = { type: `tool-${toolName ?? 'unknown'}`, toolCallId };
      this.#tools.set(toolCallId, tool);
      this.#push(tool);
    }
    return tool;
  }

  #push(part: Mutable): void {
    this.message.parts.push(part as unknown as UIPart);
  }
}
