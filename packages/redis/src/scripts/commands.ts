import type { ScriptKeys } from '../keys.js';
import type { RedisArg, RedisClient, RedisPipeline } from '../redis-client.js';
import { ACQUIRE, LIST_LEASES, RELEASE, RENEW } from './lease-scripts.js';
import { READ_MESSAGES } from './read-script.js';
import { APPEND, CLEAR, CREATE, DELETE, REPLACE_MESSAGE, TRUNCATE, UPDATE } from './session-scripts.js';
import { STAGE } from './stage-script.js';
import { FORGET_USER } from './user-scripts.js';

/** Every Lua script, by the ioredis command name it is defined under (EVALSHA, EVAL on NOSCRIPT). */
const SCRIPTS = Object.freeze({
  sessionsV1Stage: STAGE,
  sessionsV1Create: CREATE,
  sessionsV1Append: APPEND,
  sessionsV1Update: UPDATE,
  sessionsV1Clear: CLEAR,
  sessionsV1Truncate: TRUNCATE,
  sessionsV1Delete: DELETE,
  sessionsV1ReplaceMessage: REPLACE_MESSAGE,
  sessionsV1ReadMessages: READ_MESSAGES,
  sessionsV1Acquire: ACQUIRE,
  sessionsV1Renew: RENEW,
  sessionsV1Release: RELEASE,
  sessionsV1ListLeases: LIST_LEASES,
  sessionsV1ForgetUser: FORGET_USER,
});

export type ScriptName = keyof typeof SCRIPTS;
type Target = RedisClient | RedisPipeline;
type ScriptArg = RedisArg;

/**
 * Defines the scripts on a client. Names carry a version, so another engine (or another
 * library) on the same injected client cannot clash; redefining the same name is harmless.
 */
export function defineScripts(client: RedisClient): void {
  for (const [name, lua] of Object.entries(SCRIPTS)) client.defineCommand(name, { lua, readOnly: READ_ONLY_SCRIPTS.has(name) });
}

/**
 * Scripts that only read: a Cluster client with `scaleReads` may send them to replicas, as it
 * does the plain ZRANGE a read without `liveAt` is.
 */
const READ_ONLY_SCRIPTS: ReadonlySet<string> = new Set<ScriptName>(['sessionsV1ReadMessages']);

/** Runs a script on the client (one round trip) or queues it on a pipeline. */
export function runScript<T = unknown>(target: RedisClient, name: ScriptName, keys: ScriptKeys | readonly string[], args: readonly ScriptArg[]): Promise<T>;
export function runScript(target: RedisPipeline, name: ScriptName, keys: ScriptKeys | readonly string[], args: readonly ScriptArg[]): RedisPipeline;
export function runScript(target: Target, name: ScriptName, keys: ScriptKeys | readonly string[], args: readonly ScriptArg[]): unknown {
  const command = (target as unknown as Record<ScriptName, (...params: Array<ScriptArg | ScriptArg[]>) => unknown>)[name];
  if (typeof command !== 'function') throw new Error(`script ${name} is not defined on this client: setup() defines it`);
  // Arrays, not spread arguments: ioredis flattens them, and a spread of 100,000s of values overflows the call stack.
  return command.call(target, keys.length, keys as ScriptArg[], args as ScriptArg[]);
}
