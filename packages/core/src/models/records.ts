import { ValidationError } from '../errors.js';
import type { ModelDefinition } from './model.js';
import { MessageModel, type Message } from './message-model.js';
import { SESSION_CHANGE_FIELDS } from './session-changes.js';
import { SessionModel, type Session } from './session-model.js';

/** The models reachable through an engine's generic operations. */
export interface ModelRecords {
  sessions: Session;
  messages: Message;
}
/** The name of a model: `'sessions'` or `'messages'` (for `parseFilter`). */
export type ModelName = keyof ModelRecords;

export const MODELS: Readonly<Record<ModelName, ModelDefinition>> = Object.freeze({
  sessions: SessionModel,
  messages: MessageModel,
});

/** Fields a generic `update` may set. Keys, seq, counts and lineage are the store's to keep consistent. */
export const UPDATABLE_FIELDS: Readonly<Record<ModelName, readonly string[]>> = Object.freeze({
  sessions: SESSION_CHANGE_FIELDS,
  messages: Object.freeze(['metadata']),
});

export function modelDefinition(name: unknown): ModelDefinition {
  if (typeof name === 'string' && Object.hasOwn(MODELS, name)) return MODELS[name as ModelName];
  throw new ValidationError(`unknown model ${JSON.stringify(name)}; use one of ${Object.keys(MODELS).join(', ')}`, { path: 'model' });
}
