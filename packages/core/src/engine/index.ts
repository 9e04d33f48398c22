/**
 * `@sessions/core/engine`: what an adapter author needs beyond the application API. The engine
 * base class and contract types, resolved filters and the in-process evaluator, the models' codecs
 * and definitions, validation, cursors, and the connection-URL helpers.
 *
 * Applications do not need this entry: they use `@sessions/core`.
 *
 * @example
 * import { BaseEngine, matchesFilter, type ModelDefinition, type ResolvedQuery } from '@sessions/core/engine';
 * class FileEngine extends BaseEngine {
 *   protected async doFindMany(model: ModelDefinition, query: ResolvedQuery) {
 *     return (await this.#rows(model)).filter((row) => matchesFilter(row, query.where));
 *   }
 *   // ... the other do* methods; BaseEngine validates input and guards setup/close.
 * }
 *
 * @packageDocumentation
 */

// The engine contract and its base class
export { BaseEngine, type ResolvedQuery } from './base-engine.js';
export { DEFAULT_CAPABILITIES } from './capabilities.js';
export type {
  ClearMessagesOptions,
  FencedWriteOptions,
  FindManyQuery,
  FindOneQuery,
  MessageRange,
  NewMessage,
  SessionChanges,
  SessionWriteOptions,
  TruncateMessagesOptions,
  UpdateQuery,
  UpdateSessionOptions,
} from './engine.js';
export type { AcquireLeaseInput, LeaseGrant, LeaseInfo, ListLeasesQuery } from './lease.js';
export { holdLease, isLocallyExpired, renewedLease } from '../manager/held-lease.js';

// Models and their definitions
export { defineModel, type FieldDefinition, type FieldType, type IndexDefinition, type ModelDefinition } from '../models/model.js';
export { SessionModel, type SessionField } from '../models/session-model.js';
export { MessageModel, type MessageField } from '../models/message-model.js';
export { LeaseModel } from '../models/lease-model.js';
export { MODELS, UPDATABLE_FIELDS, modelDefinition, type ModelRecords } from '../models/records.js';
export { isExpiredAt } from '../models/expiry.js';
export { MEMORY_SCHEMA_VERSION, storeKey } from '../memory/memory-store.js';
export { copyMessage, copySession } from '../memory/copy-records.js';
export { SESSION_CHANGE_FIELDS } from '../models/session-changes.js';

// Resolved filters, in-process evaluation and comparison
export type { ColumnTarget, FilterTarget, JsonPathTarget, Operand, OperandType, ResolvedFilter, ResolvedOrderTerm } from '../filter/resolved.js';
export { resolveFilter, resolveOrderBy } from '../filter/resolve.js';
export { compareByOrder, matchesFilter, type FilterableRow } from '../filter/evaluate.js';
export { countRows, queryRows } from '../filter/query-rows.js';
export { compareCodePoints, compareScalars } from '../filter/compare.js';
export { asciiLowerCase, likeMatches, likeToRegExp, parseLikePattern, type LikeToken } from '../filter/like.js';

// JSON, ids and validation
export {
  assertJson,
  assertJsonObject,
  assertStorableString,
  cloneJson,
  describeType,
  isPlainObject,
  setOwn,
  utf8Length,
  type JsonCheckOptions,
} from '../json.js';
export { newOwnerId, ulid } from '../ids.js';
export * from '../validate.js';
export { assertMessageSize, messageBytes } from '../manager/message-size.js';
export { isExactNumberLiteral } from '../manager/exact-number.js';
export { applyMergePatch } from '../manager/merge-patch.js';

// Cursors, events and the export format's parts
export { decodeCursor, encodeCursor } from '../manager/cursor.js';
export { TypedEmitter } from '../manager/events.js';
export { toExport, toExportedMessage } from '../manager/export-format.js';
export { ExportTextScanner, MESSAGE_TEXT_ALLOWANCE, assertExactExportText, type ExportTextOptions } from '../manager/export-text.js';

// Waiting and connection URLs
export { abortable, sleep } from '../abort.js';
export { ADAPTER_PACKAGES, adapterPackageFor } from '../create-engine.js';
export { parseConnectionUrl, type ConnectionUrlExpectation } from '../parse-connection-url.js';
export { isSecretParameter, urlSecrets } from '../redact-url.js';
export { URL_SCHEME, urlScheme } from '../url-scheme.js';
export { systemErrorKind } from '../storage-error-kind.js';

// Server engines: bounded waits, their timeout error, and the sockets close() may destroy
export { Checkouts, StatementGuard, withDeadline, type ServerLimits } from '../server/bounded-waits.js';
export { ServerTimeoutError, type TimeoutOutcome } from '../server/server-timeout-error.js';
export { SocketTracker, type TrackedSocket } from '../server/socket-tracker.js';
