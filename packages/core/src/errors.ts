import { redactUrl } from './redact-url.js';
import { systemErrorKind, type StorageErrorKind } from './storage-error-kind.js';

// Public from here, as it always was.
export { redactUrl };

/**
 * Every error thrown by `@sessions/*` is a `SessionsError` with a stable `code`,
 * a message that says what to do, and the underlying `cause` when there is one.
 *
 * @example
 * try { await manager.append(key, messages, { lease }) }
 * catch (error) { if (error instanceof LockExpiredError) retryLater() }
 */
export type SessionsErrorCode =
  | 'NOT_SET_UP'
  | 'SESSION_NOT_FOUND'
  | 'SESSION_EXISTS'
  | 'MESSAGE_EXISTS'
  | 'LOCK_HELD'
  | 'LOCK_EXPIRED'
  | 'CONCURRENT_UPDATE'
  | 'VALIDATION'
  | 'ENGINE_CLOSED'
  | 'ADAPTER_NOT_INSTALLED'
  | 'SCHEMA_VERSION'
  | 'STORAGE';

/** Options every `SessionsError` takes: the error it wraps. */
export interface SessionsErrorOptions {
  cause?: unknown;
}

/** The base class of every error `@sessions/*` throws: `code` is stable, the message says what to do. */
export class SessionsError extends Error {
  readonly code: SessionsErrorCode;

  constructor(code: SessionsErrorCode, message: string, options: SessionsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }
}

/** A call reached an engine before `setup()` finished. */
export class NotSetUpError extends SessionsError {
  constructor(engineName: string) {
    super('NOT_SET_UP', `[sessions] [${engineName}] the engine is not set up: call setup() first`);
  }
}

/** What identifies a session: the user it belongs to and its id. */
export interface SessionKey {
  readonly userId: string;
  readonly sessionId: string;
}

function describeKey(key: SessionKey): string {
  return `session ${JSON.stringify(key.sessionId)} of user ${JSON.stringify(key.userId)}`;
}

/** The session does not exist (or has expired). */
export class SessionNotFoundError extends SessionsError {
  readonly userId: string;
  readonly sessionId: string;
  constructor(key: SessionKey) {
    super('SESSION_NOT_FOUND', `[sessions] ${describeKey(key)} does not exist (or has expired)`);
    this.userId = key.userId;
    this.sessionId = key.sessionId;
  }
}

/** A session with this key already exists. */
export class SessionExistsError extends SessionsError {
  readonly userId: string;
  readonly sessionId: string;
  constructor(key: SessionKey) {
    super('SESSION_EXISTS', `[sessions] ${describeKey(key)} already exists: pick another sessionId or use getOrCreate()`);
    this.userId = key.userId;
    this.sessionId = key.sessionId;
  }
}

/** A message id was given twice within one session. Ids are unique per session. */
export class MessageExistsError extends SessionsError {
  readonly messageId: string;
  constructor(key: SessionKey, messageId: string) {
    super('MESSAGE_EXISTS', `[sessions] message id ${JSON.stringify(messageId)} is already used in ${describeKey(key)}: message ids are unique per session`);
    this.messageId = messageId;
  }
}

/** Another owner holds an unexpired lease on the session. */
export class LockHeldError extends SessionsError {
  readonly holder: string;
  readonly expiresAt: Date;
  constructor(key: SessionKey, holder: string, expiresAt: Date, options: SessionsErrorOptions = {}) {
    super(
      'LOCK_HELD',
      `[sessions] ${describeKey(key)} is locked by ${JSON.stringify(holder)} until ${expiresAt.toISOString()}: retry later or pass waitMs`,
      options,
    );
    this.holder = holder;
    this.expiresAt = expiresAt;
  }
}

/** The lease a write or renew carried is no longer the session's current, unexpired lease. Nothing was written. */
export class LockExpiredError extends SessionsError {
  constructor(key: SessionKey, detail = 'the lease expired or was taken over') {
    super('LOCK_EXPIRED', `[sessions] the lease on ${describeKey(key)} is no longer held (${detail}); nothing was written: acquire a new lease and retry`);
  }
}

/** An optimistic update lost a race with another writer. `SessionManager` retries these itself. */
export class ConcurrentUpdateError extends SessionsError {
  constructor(key: SessionKey) {
    super('CONCURRENT_UPDATE', `[sessions] ${describeKey(key)} was changed by another writer: read it again and retry`);
  }
}

/** The input is not valid; `path` says where. Nothing was written. */
export class ValidationError extends SessionsError {
  /** Where in the input the problem is, e.g. `messages[2].content`. */
  readonly path: string | undefined;
  constructor(message: string, options: SessionsErrorOptions & { path?: string } = {}) {
    super('VALIDATION', `[sessions] ${options.path ? `${options.path}: ` : ''}${message}`, options);
    this.path = options.path;
  }
}

/** A call reached an engine after `close()`. */
export class EngineClosedError extends SessionsError {
  constructor(engineName: string) {
    super('ENGINE_CLOSED', `[sessions] [${engineName}] the engine was closed: create a new one`);
  }
}

/** `createEngine` got a URL whose adapter package (or its driver) is not installed. */
export class AdapterNotInstalledError extends SessionsError {
  readonly packageName: string;
  constructor(packageName: string, url: string, options: SessionsErrorOptions = {}) {
    super(
      'ADAPTER_NOT_INSTALLED',
      `[sessions] the URL ${JSON.stringify(redactUrl(url))} needs the package ${packageName}: install it with \`pnpm add ${packageName}\` (or npm install ${packageName})`,
      options,
    );
    this.packageName = packageName;
  }
}

/**
 * The store's schema (or file layout) was written by a version of the adapter this one
 * cannot read: newer than it knows, or too old to migrate.
 */
export class SchemaVersionError extends SessionsError {
  readonly found: number | string;
  readonly supported: number | string;
  constructor(packageName: string, where: string, found: number | string, supported: number | string) {
    super(
      'SCHEMA_VERSION',
      `[sessions] ${where} is at schema version ${found}, but this ${packageName} reads version ${supported}: ${
        typeof found === 'number' && typeof supported === 'number' && found > supported
          ? `upgrade ${packageName}`
          : `use a matching ${packageName} or another store`
      }`,
    );
    this.found = found;
    this.supported = supported;
  }
}

/**
 * A driver or I/O failure. The driver's error is kept as `cause`; `kind` says what went wrong
 * without knowing the driver (see `StorageErrorKind`).
 *
 * @example
 * try {
 *   await sessions.list({ userId });
 * } catch (error) {
 *   if (error instanceof StorageError && error.kind === 'unreachable') return serviceUnavailable();
 *   throw error;
 * }
 */
export class StorageError extends SessionsError {
  /** What went wrong: set by the adapter from its driver's codes, else from the system error code, else `'unknown'`. */
  readonly kind: StorageErrorKind;

  constructor(engineName: string, operation: string, cause: unknown, options: { kind?: StorageErrorKind | undefined } = {}) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('STORAGE', `[sessions] [${engineName}] ${operation} failed: ${reason}`, { cause });
    this.kind = options.kind ?? systemErrorKind(cause) ?? 'unknown';
  }
}
