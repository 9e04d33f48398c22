import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EngineClosedError, type Engine, type EngineCapabilities } from '@sessions/core';
import type { ChildEngineRecipe } from './child-engine-recipe.js';
import { deserializeError } from './error-transport.js';
import type { ChildMessage, ParentMessage } from './protocol.js';

/** The engine methods a child serves; each is forwarded as it is called, arguments and result cloned. */
const FORWARDED = [
  'storedSchemaVersion',
  'findOne',
  'findMany',
  'count',
  'insert',
  'update',
  'delete',
  'getSession',
  'createSession',
  'updateSession',
  'appendMessages',
  'readMessages',
  'clearMessages',
  'truncateMessages',
  'deleteSession',
  'deleteExpired',
  'acquireLease',
  'renewLease',
  'releaseLease',
  'listLeases',
] as const;

const OPEN_TIMEOUT_MS = 30_000;
const CLOSE_TIMEOUT_MS = 10_000;

/** An engine in another OS process, reached over IPC. Also tells the suite the child's pid. */
export interface RemoteEngine extends Engine {
  readonly pid: number;
}

/**
 * Starts a child process that opens the store described by `recipe`, and returns an `Engine`
 * whose every call runs in that process. No in-process cache, lock or shared object of the
 * parent can answer for it: what it sees is what the store holds.
 */
export async function openRemoteEngine(recipe: ChildEngineRecipe, label: string): Promise<RemoteEngine> {
  const child = fork(runnerPath(), [], {
    execArgv: [...(recipe.execArgv ?? [])],
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = true;
      const error = new Error(`the ${label} child process exited (${signal ?? code}) with calls pending; its output:\n${output}`);
      for (const waiter of pending.values()) waiter.reject(error);
      pending.clear();
      resolve();
    }),
  );
  const ready = new Promise<{ name: string; capabilities: EngineCapabilities }>((resolve, reject) => {
    const timedOut = () => new Error(`the ${label} child process did not open its engine within ${OPEN_TIMEOUT_MS} ms; its output:\n${output}`);
    const timer = setTimeout(() => reject(timedOut()), OPEN_TIMEOUT_MS);
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve(message);
      } else if (message.type === 'failed') {
        clearTimeout(timer);
        const where = `while the ${label} child process opened ${recipe.exportName} from ${recipe.module}`;
        reject(deserializeError(message.error, where));
      } else {
        const waiter = pending.get(message.id);
        pending.delete(message.id);
        if (message.type === 'result') waiter?.resolve(message.value);
        else waiter?.reject(deserializeError(message.error, `in the ${label} child process`));
      }
    });
    void exit.then(() => reject(new Error(`the ${label} child process exited before opening its engine; its output:\n${output}`)));
  });
  child.send({ type: 'open', recipe } satisfies ParentMessage);
  let opened: { name: string; capabilities: EngineCapabilities };
  try {
    opened = await ready;
  } catch (error) {
    child.kill();
    await exit;
    throw error;
  }

  let nextId = 0;
  let closing: Promise<void> | undefined;
  const request = (message: ParentMessage & { id: number }): Promise<unknown> =>
    new Promise((resolve, reject) => {
      if (exited) return reject(new EngineClosedError(`${opened.name} (${label} child process)`));
      pending.set(message.id, { resolve, reject });
      child.send(message);
    });
  const engine: Record<string, unknown> = {
    name: opened.name,
    capabilities: Object.freeze(opened.capabilities),
    pid: child.pid!,
    // The child set its engine up before reporting ready.
    setup: async () => {
      if (closing) throw new EngineClosedError(opened.name);
    },
    close: () => (closing ??= closeChild(child, exit, () => request({ type: 'close', id: ++nextId }))),
    [Symbol.asyncDispose]: () => (engine['close'] as () => Promise<void>)(),
  };
  for (const method of FORWARDED) {
    engine[method] = (...args: unknown[]) => {
      if (closing) return Promise.reject(new EngineClosedError(opened.name));
      return request({ type: 'call', id: ++nextId, method, args: args.map(withoutSignals) });
    };
  }
  return engine as unknown as RemoteEngine;
}

async function closeChild(child: ChildProcess, exit: Promise<void>, requestClose: () => Promise<unknown>): Promise<void> {
  const timer = setTimeout(() => child.kill('SIGKILL'), CLOSE_TIMEOUT_MS);
  try {
    if (child.connected) await requestClose();
  } finally {
    await exit;
    clearTimeout(timer);
  }
}

/** An AbortSignal cannot cross a process boundary; the child's calls run to completion. */
function withoutSignals(arg: unknown): unknown {
  if (arg === null || typeof arg !== 'object' || Array.isArray(arg) || !('signal' in arg)) return arg;
  const { signal: _dropped, ...rest } = arg as Record<string, unknown>;
  return rest;
}

/** The compiled runner next to this file; from the TypeScript sources (the suite's own tests) the built one. */
function runnerPath(): string {
  const beside = fileURLToPath(new URL('./child-runner.js', import.meta.url));
  if (existsSync(beside)) return beside;
  const built = beside.replace(/([\\/])src([\\/]remote[\\/]child-runner\.js)$/, '$1dist$2');
  if (existsSync(built)) return built;
  throw new Error(`cannot find the conformance child runner at ${beside}: build @sessions/conformance first`);
}
