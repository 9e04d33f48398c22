import type { AgentInputItem } from '@openai/agents-core';
import { ValidationError, type JsonObject, type JsonValue, type Message, type MessageContent, type MessageInput, type MessageRole } from '@sessions/core';
import { assertId, describeType, isPlainObject } from '@sessions/core/engine';
import { restoreExtras, toJsonWithExtras } from './json-extras.js';
import { FORMAT_VERSION, METADATA_KEY, type ItemMarker } from './stored-format.js';

const CALL_TYPES: ReadonlySet<string> = new Set([
  'function_call',
  'hosted_tool_call',
  'computer_call',
  'shell_call',
  'apply_patch_call',
  'tool_search_call',
  'program',
]);

const RESULT_TYPES: ReadonlySet<string> = new Set([
  'function_call_result',
  'computer_call_result',
  'shell_call_output',
  'apply_patch_call_output',
  'tool_search_output',
  'program_output',
]);

const MESSAGE_ROLES: ReadonlySet<string> = new Set(['user', 'assistant', 'system']);

/**
 * One Agents SDK item as one core message. The item itself is kept losslessly in
 * `metadata.openaiAgents`, except its bulky field (a message's `content`, a tool result's
 * `output`), which becomes the message's `content` so it is stored once. The typed columns
 * (`role`, `toolCalls`, `toolCallId`, `name`) are filled so other tools can read the
 * conversation without knowing the SDK's item shapes.
 */
export function encodeItem(item: AgentInputItem, path = 'item'): MessageInput {
  if (!isPlainObject(item)) throw new ValidationError(`expected an Agents SDK item (a plain object), got ${describeType(item)}`, { path });
  const { json, bytes, undefinedAt } = toJsonWithExtras(item, path);
  const data = json as JsonObject;
  const type = typeof data['type'] === 'string' ? data['type'] : 'message';
  const role = roleOf(type, data['role']);
  const marker: ItemMarker = { v: FORMAT_VERSION, item: data };
  let content: MessageContent = '';

  if (type === 'message' && role !== 'tool' && (typeof data['content'] === 'string' || Array.isArray(data['content']))) {
    content = data['content'];
    marker.field = 'content';
  } else if (role === 'tool' && Object.hasOwn(data, 'output')) {
    const output = data['output'] as JsonValue;
    if (typeof output === 'string' || Array.isArray(output)) content = output;
    else {
      content = [output];
      marker.wrapped = true;
    }
    marker.field = 'output';
  }
  if (marker.field) {
    const { [marker.field]: _moved, ...rest } = data;
    marker.item = rest;
  }
  if (bytes.length > 0) marker.bytes = bytes;
  if (undefinedAt.length > 0) marker.undefinedAt = undefinedAt;

  return {
    role,
    content,
    name: storableId(data['name']),
    toolCalls: CALL_TYPES.has(type) || (role === 'assistant' && typeof callIdOf(data) === 'string') ? [describeCall(type, data)] : null,
    toolCallId: role === 'tool' ? storableId(callIdOf(data)) : null,
    metadata: { [METADATA_KEY]: marker as unknown as JsonObject },
  };
}

/** The item an item message holds, exactly as it was added. */
export function decodeItem(message: Message, marker: ItemMarker): AgentInputItem {
  const item: JsonObject = { ...marker.item };
  if (marker.field) {
    const content = message.content;
    item[marker.field] = marker.wrapped && Array.isArray(content) ? (content[0] ?? null) : content;
  }
  return restoreExtras(item, marker.bytes ?? [], marker.undefinedAt ?? []) as AgentInputItem;
}

function roleOf(type: string, role: unknown): MessageRole {
  if (type === 'message' && typeof role === 'string' && MESSAGE_ROLES.has(role)) return role as MessageRole;
  if (RESULT_TYPES.has(type) || type.endsWith('_result') || type.endsWith('_output')) return 'tool';
  return 'assistant';
}

/** `{ id, type, name, arguments }`: the call id, the item type, the tool name and its raw JSON arguments, where the item has them. */
function describeCall(type: string, data: JsonObject): JsonObject {
  const callId = callIdOf(data);
  const id = typeof callId === 'string' ? callId : typeof data['id'] === 'string' ? data['id'] : null;
  return {
    id,
    type,
    name: typeof data['name'] === 'string' ? data['name'] : null,
    arguments: typeof data['arguments'] === 'string' ? data['arguments'] : null,
  };
}

/**
 * The item's call id. Tool search items carry it as `call_id` (the Responses API's spelling)
 * as often as `callId`, and may set either to null.
 */
function callIdOf(data: JsonObject): JsonValue | undefined {
  return typeof data['callId'] === 'string' ? data['callId'] : data['call_id'];
}

/** The value if core accepts it as an id column (tool names and call ids usually are), else null: the item keeps it either way. */
function storableId(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  try {
    assertId(value, 'id');
    return value;
  } catch {
    return null;
  }
}
