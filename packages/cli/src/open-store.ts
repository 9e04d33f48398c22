import { existsSync } from 'node:fs';
import { createEngine, redactUrl, type Engine } from '@sessions/core';
import { preloadAdapter, schemeOf } from './adapters.js';
import { CliError, InterruptedError, toCliError } from './errors.js';
import { EXIT } from './exit-codes.js';

export interface OpenOptions {
  /** How long `setup()` may take before the store counts as unreachable. */
  connectTimeoutMs: number;
  /**
   * Fail with "not found" (exit 4) instead of creating an empty store when there is none:
   * a local path that does not exist, or a store `setup()` never ran on (no schema version
   * recorded, asked with `storedSchemaVersion()`, which creates nothing). Commands that only
   * read or delete set this, so a typo in a URL never leaves a new empty store behind.
   */
  mustExist: boolean;
  signal?: AbortSignal;
}

/** An engine that is set up and ready, with its URL safe to print. */
export interface OpenStore extends AsyncDisposable {
  readonly engine: Engine;
  /** The URL with any password replaced by `***`. */
  readonly label: string;
  close(): Promise<void>;
}

/**
 * Creates the engine for `url` and sets it up, turning every way that can fail into a
 * `CliError` with the matching exit code: bad URL (2), missing adapter (5), unreachable
 * server or unopenable file (6), schema too old or too new (7), no store at a path (4).
 */
export async function openStore(url: string, options: OpenOptions): Promise<OpenStore> {
  const label = redactUrl(url);
  let engine: Engine;
  try {
    await preloadAdapter(url);
    engine = await createEngine(url);
  } catch (error) {
    throw toCliError(error, { url: label });
  }
  // Checked after the adapter loaded: a missing adapter is the more basic problem to report.
  if (options.mustExist) {
    try {
      assertLocalStoreExists(url, label);
      await assertStoreSetUp(engine, label, options);
    } catch (error) {
      void engine.close().catch(() => undefined);
      if (error instanceof CliError) throw error;
      throw toCliError(error, { opening: true, url: label });
    }
  }
  try {
    await within(options, (signal) => engine.setup({ signal }));
  } catch (error) {
    // A half-open engine may hold sockets that keep the process alive.
    void engine.close().catch(() => undefined);
    if (error instanceof CliError) throw error;
    throw toCliError(error, { opening: true, url: label });
  }
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await engine.close();
  };
  return { engine, label, close, [Symbol.asyncDispose]: close };
}

/** Runs a step of opening the store, failing after `connectTimeoutMs` or when interrupted. */
async function within<T>(options: OpenOptions, task: (signal: AbortSignal) => Promise<T>): Promise<T> {
  if (options.signal?.aborted) throw new InterruptedError();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new CliError(EXIT.cannotConnect, 'CANNOT_CONNECT', `no answer from the store within ${options.connectTimeoutMs} ms`, {
        hint: 'check that the server is running and reachable from here (host, port, firewall), or raise --connect-timeout',
      });
      controller.abort(error);
      reject(error);
    }, options.connectTimeoutMs);
  });
  const onAbort = (): void => controller.abort(new InterruptedError());
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const interrupted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
  });
  try {
    return await Promise.race([task(controller.signal), timedOut, interrupted]);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    timedOut.catch(() => undefined);
    interrupted.catch(() => undefined);
  }
}

/** The file or directory behind a `sqlite:` or `jsonl:` URL, or undefined for other stores. */
export function localPathOf(url: string): string | undefined {
  const scheme = schemeOf(url);
  if (scheme !== 'sqlite:' && scheme !== 'jsonl:') return undefined;
  let rest = url.slice(scheme.length);
  if (rest === ':memory:' || rest === '') return undefined;
  if (rest.startsWith('//')) rest = rest.slice(2);
  const query = rest.indexOf('?');
  if (query >= 0) rest = rest.slice(0, query);
  try {
    return decodeURIComponent(rest);
  } catch {
    return rest;
  }
}

function assertLocalStoreExists(url: string, label: string): void {
  const path = localPathOf(url);
  if (path === undefined || existsSync(path)) return;
  throw new CliError(EXIT.notFound, 'STORE_NOT_FOUND', `there is no store at ${JSON.stringify(path)} (${label})`, {
    hint: 'check the path; stores are created by the application, `sessions import` or `sessions migrate`, never by read-only commands',
  });
}

async function assertStoreSetUp(engine: Engine, label: string, options: OpenOptions): Promise<void> {
  // An in-memory store is new every time: there is nothing a typo could have missed.
  if (!engine.capabilities.persistent) return;
  const version = await within(options, (signal) => engine.storedSchemaVersion({ signal }));
  if (version !== null) return;
  throw new CliError(EXIT.notFound, 'STORE_NOT_FOUND', `there is no store at ${label}: no sessions store was ever set up there`, {
    hint: 'check the URL (path, database, schema, tablePrefix or prefix); stores are created by the application, `sessions import` or `sessions migrate`, never by read-only commands',
  });
}
