/**
 * The application API of `@sessions/core`: open an engine, manage sessions and messages through
 * `SessionManager`, filter with the builders, catch the typed errors.
 *
 * Helpers for adapter authors (the engine base class, resolved filters, codecs, validation and
 * cursor helpers) live in `@sessions/core/engine`; test helpers in `@sessions/core/testing`.
 *
 * @example
 * import { createEngine, SessionManager } from '@sessions/core';
 * const engine = await createEngine('memory:');
 * const sessions = new SessionManager({ engine });
 * const session = await sessions.create({ userId: 'u1' });
 * await sessions.append(session, { role: 'user', content: 'Hello' });
 *
 * @packageDocumentation
 */

// Opening an engine
export { createEngine, registerAdapter, type AdapterModule, type CreateEngineOptions } from './create-engine.js';
export type { Engine } from './engine/engine.js';
export type { EngineCapabilities } from './engine/capabilities.js';
export { MemoryEngine, type MemoryEngineOptions } from './memory/memory-engine.js';
export { createMemoryStore, type MemoryStore } from './memory/memory-store.js';

// Sessions and messages
export {
  SessionManager,
  type AcquireOptions,
  type CreateSessionInput,
  type ForkOptions,
  type ImportOptions,
  type LeaseOptions,
  type ListOptions,
  type ListResult,
  type MessagesQuery,
  type RunContext,
  type RunOptions,
  type SessionManagerLimits,
  type SessionManagerOptions,
  type TruncateInput,
  type UpdateOptions,
  type UpdateSessionInput,
} from './manager/session-manager.js';
export type { MessageInput } from './manager/message-input.js';
export type { MessagesEvent, SessionEvent, SessionManagerEvents } from './manager/events.js';
export type { HeldLease } from './manager/held-lease.js';
export type { Lease, LeaseRef } from './engine/lease.js';
export { LIST_ORDER_FIELDS, type ListOrder, type ListOrderField } from './manager/cursor.js';
export { DEFAULT_MAX_MESSAGE_BYTES } from './manager/message-size.js';
export { EXPORT_FORMAT, EXPORT_VERSION, parseExport, type ExportedMessage, type SessionExport } from './manager/export-format.js';
export { newMessageId, newSessionId } from './ids.js';

// Models
export { ID_MAX_LENGTH, SESSION_STATUSES, TITLE_MAX_LENGTH, type Session, type SessionStatus } from './models/session-model.js';
export { MESSAGE_ROLES, type Message, type MessageContent, type MessageRole } from './models/message-model.js';
export type { ModelName } from './models/records.js';
export { MAX_JSON_DEPTH, type JsonObject, type JsonPrimitive, type JsonValue } from './json.js';

// Filters
export { and, asc, desc, eq, gt, gte, ilike, inArray, isNotNull, isNull, like, lt, lte, ne, not, notInArray, or } from './filter/builders.js';
export { FILTER_LIMITS, parseFilter } from './filter/resolve.js';
export type { ComparisonOperator, Filter, FilterValue, OrderBy, OrderTerm, PatternOperator, SortDirection } from './filter/types.js';

// Errors
export {
  AdapterNotInstalledError,
  ConcurrentUpdateError,
  EngineClosedError,
  LockExpiredError,
  LockHeldError,
  MessageExistsError,
  NotSetUpError,
  SchemaVersionError,
  SessionExistsError,
  SessionNotFoundError,
  SessionsError,
  StorageError,
  ValidationError,
  redactUrl,
  type SessionKey,
  type SessionsErrorCode,
  type SessionsErrorOptions,
} from './errors.js';
export { STORAGE_ERROR_KINDS, type StorageErrorKind } from './storage-error-kind.js';
