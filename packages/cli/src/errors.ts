import { STORAGE_ERROR_KINDS, type SessionsError, type StorageErrorKind } from '@sessions/core';
import { EXIT, type ExitCode } from './exit-codes.js';

/**
 * An error the CLI reports and exits with. `message` says what went wrong, `hint` what to
 * do about it; `exitCode` is one of `EXIT`.
 */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;
  /** A stable, machine-readable name for `--json` output, e.g. `USAGE` or core's `SESSION_NOT_FOUND`. */
  readonly code: string;

  constructor(exitCode: ExitCode, code: string, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.code = code;
    this.hint = options.hint;
  }
}

/** The command line itself is wrong. */
export class UsageError extends CliError {
  constructor(message: string, hint = 'run `sessions help` for usage') {
    super(EXIT.usage, 'USAGE', message, { hint });
  }
}

/** The user pressed Ctrl-C (or the caller aborted). */
export class InterruptedError extends CliError {
  constructor(hint = 'rerun the same command to continue where it stopped') {
    super(EXIT.interrupted, 'INTERRUPTED', 'interrupted', { hint });
  }
}

// What a StorageError's `kind` says about opening the store: these mean it could not be reached
// or opened at all (exit 6); the others (conflict, full, unknown) are failures of the command.
const CONNECT_KINDS: ReadonlySet<string> = new Set<StorageErrorKind>(['unreachable', 'auth', 'missing', 'timeout', 'permission', 'corrupt']);
const SCHEMA_CODES = new Set(['SCHEMA_VERSION', 'SCHEMA_MISMATCH', 'SCHEMA_TOO_NEW', 'SCHEMA_TOO_OLD']);
const SCHEMA_MESSAGE = /\bschema (is )?(version \d+|too (old|new))|(newer|older) than this @sessions|written by a newer/i;

const SESSIONS_CODES = new Set([
  'NOT_SET_UP',
  'SESSION_NOT_FOUND',
  'SESSION_EXISTS',
  'MESSAGE_EXISTS',
  'LOCK_HELD',
  'LOCK_EXPIRED',
  'CONCURRENT_UPDATE',
  'VALIDATION',
  'ENGINE_CLOSED',
  'ADAPTER_NOT_INSTALLED',
  'STORAGE',
]);

/**
 * A `SessionsError` by shape, not by class: an adapter resolved from another install may
 * carry its own copy of `@sessions/core`, whose classes `instanceof` would not recognise.
 */
export function isSessionsError(error: unknown): error is SessionsError {
  return error instanceof Error && SESSIONS_CODES.has(codeOf(error) ?? '');
}

/** Every error in the `cause` chain (and inside AggregateErrors), outermost first. */
export function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  const queue: unknown[] = [error];
  while (queue.length > 0 && chain.length < 32) {
    const current = queue.shift();
    if (current === undefined || current === null || chain.includes(current)) continue;
    chain.push(current);
    if (typeof current === 'object') {
      const { cause, errors } = current as { cause?: unknown; errors?: unknown };
      if (cause !== undefined) queue.push(cause);
      if (Array.isArray(errors)) queue.push(...errors);
    }
  }
  return chain;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** True when the error (or a cause) says the store's schema version does not fit this code. */
export function isSchemaMismatch(error: unknown): boolean {
  return causeChain(error).some((item) => {
    const code = codeOf(item);
    return (
      (code !== undefined && SCHEMA_CODES.has(code)) ||
      /Schema(Version|Mismatch)Error/.test((item as Error)?.name ?? '') ||
      SCHEMA_MESSAGE.test(messageOf(item))
    );
  });
}

/**
 * The `kind` of the first StorageError in the cause chain, by shape (like `isSessionsError`): the
 * adapter tells it from its driver's codes, so the CLI never reads driver codes or messages.
 */
export function storageKindOf(error: unknown): StorageErrorKind | undefined {
  for (const item of causeChain(error)) {
    const kind = (item as { kind?: unknown } | null)?.kind;
    if (codeOf(item) === 'STORAGE' && typeof kind === 'string' && (STORAGE_ERROR_KINDS as readonly string[]).includes(kind)) return kind as StorageErrorKind;
  }
  return undefined;
}

/** True when the error (or a cause) says the store could not be reached or opened. */
export function isConnectFailure(error: unknown): boolean {
  return CONNECT_KINDS.has(storageKindOf(error) ?? '');
}

/**
 * Turns any error into a `CliError` with the right exit code. `opening` is true while the
 * store is being created and set up, where a storage failure means "cannot connect".
 */
export function toCliError(error: unknown, context: { opening?: boolean; url?: string } = {}): CliError {
  if (error instanceof CliError) return error;
  if ((error as Error | null)?.name === 'AbortError') return new InterruptedError();
  const where = context.url ? ` (${context.url})` : '';
  if (isSchemaMismatch(error)) {
    return new CliError(EXIT.schemaMismatch, 'SCHEMA_MISMATCH', `${messageOf(error)}${where}`, {
      hint: 'the store was written by a different version of its adapter: upgrade @sessions/* (schema too new) or run `sessions doctor` with the newer version to migrate it (schema too old)',
      cause: error,
    });
  }
  if (isSessionsError(error)) {
    switch (error.code) {
      case 'VALIDATION':
        if ((error as { path?: string }).path === 'url') {
          return new CliError(EXIT.usage, 'BAD_URL', error.message, {
            hint: 'store URLs look like sqlite:./sessions.db, jsonl:./data, postgres://user@host/db, mysql://user@host/db, redis://host:6379 or memory:',
            cause: error,
          });
        }
        return new CliError(EXIT.invalidInput, error.code, error.message, { cause: error });
      case 'SESSION_NOT_FOUND':
        return new CliError(EXIT.notFound, error.code, error.message, {
          hint: "list the user's sessions with `sessions ls <url> --user <user>`",
          cause: error,
        });
      case 'ADAPTER_NOT_INSTALLED':
        return new CliError(EXIT.adapterNotInstalled, error.code, error.message, {
          hint: 'install the adapter next to @sessions/cli (globally with `npm i -g`, or in the project you run it from)',
          cause: error,
        });
      case 'SESSION_EXISTS':
      case 'MESSAGE_EXISTS':
        return new CliError(EXIT.conflict, error.code, error.message, { cause: error });
      case 'STORAGE':
        if (context.opening || isConnectFailure(error)) return cannotConnect(error, where, context.url);
        return new CliError(EXIT.failure, error.code, error.message, { cause: error });
      default:
        return new CliError(EXIT.failure, error.code, error.message, { cause: error });
    }
  }
  if (context.opening || isConnectFailure(error)) return cannotConnect(error, where, context.url);
  return new CliError(EXIT.failure, 'INTERNAL', messageOf(error), { cause: error });
}

function cannotConnect(error: unknown, where: string, url: string | undefined): CliError {
  return new CliError(EXIT.cannotConnect, 'CANNOT_CONNECT', `cannot open the store${where}: ${messageOf(error).replace(/^\[sessions\] /, '')}`, {
    hint: connectHint(error, url),
    cause: error,
  });
}

/** What to do, told from the kind of failure the adapter reported. */
function connectHint(error: unknown, url: string | undefined): string {
  const kind = storageKindOf(error);
  if (kind === 'auth') return 'the server refused the login: check the user name and password in the URL';
  if (/^(sqlite|jsonl):/i.test(url ?? '')) return 'the file cannot be opened: check the path, that its directory exists, and the permissions';
  if (kind === 'missing') return 'the database does not exist: create it (CREATE DATABASE ...) or fix its name in the URL';
  if (kind === 'permission') return 'the user in the URL may not use this database: grant it access, or use another user';
  return 'nothing answered: check that the server is running and reachable at the host and port in the URL (firewall, VPN, TLS), or raise --connect-timeout';
}
