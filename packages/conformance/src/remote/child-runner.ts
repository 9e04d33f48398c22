/**
 * The entry point of the suite's second process. It builds an engine from the `ChildEngineRecipe`
 * the parent sends first, sets it up, and then serves engine calls from the parent over
 * IPC until told to close. Nothing in it is shared with the parent but the store itself.
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Engine } from '@sessions/core';
import type { ChildEngineRecipe } from './child-engine-recipe.js';
import { serializeError } from './error-transport.js';
import type { ChildMessage, ParentMessage } from './protocol.js';

const send = (message: ChildMessage): Promise<void> =>
  new Promise((resolve, reject) => process.send!(message, undefined, {}, (error) => (error ? reject(error) : resolve())));

async function buildEngine(recipe: ChildEngineRecipe): Promise<Engine> {
  const specifier = isAbsolute(recipe.module) ? pathToFileURL(recipe.module).href : recipe.module;
  const loaded = (await import(specifier)) as Record<string, unknown>;
  const factory = loaded[recipe.exportName];
  if (typeof factory !== 'function') {
    const exported = Object.keys(loaded).join(', ');
    throw new TypeError(`${recipe.module} has no export ${JSON.stringify(recipe.exportName)} that is a function or class (it exports ${exported})`);
  }
  const args = recipe.args ?? [];
  const isClass = /^class[\s{]/.test(Function.prototype.toString.call(factory));
  const engine = isClass
    ? new (factory as new (...a: unknown[]) => Engine)(...args)
    : await (factory as (...a: unknown[]) => Engine | Promise<Engine>)(...args);
  if (!engine || typeof engine.setup !== 'function' || typeof engine.appendMessages !== 'function') {
    throw new TypeError(`${recipe.exportName}(...) from ${recipe.module} did not return an engine`);
  }
  await engine.setup();
  return engine;
}

async function serve(engine: Engine, message: ParentMessage): Promise<void> {
  if (message.type === 'open') return;
  if (message.type === 'close') {
    try {
      await engine.close();
      await send({ type: 'result', id: message.id, value: undefined });
    } catch (error) {
      await send({ type: 'error', id: message.id, error: serializeError(error) });
    }
    process.disconnect();
    return;
  }
  try {
    const method = (engine as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[message.method];
    if (typeof method !== 'function') throw new TypeError(`the engine has no method ${message.method}`);
    const value = await method.apply(engine, [...message.args]);
    await send({ type: 'result', id: message.id, value });
  } catch (error) {
    await send({ type: 'error', id: message.id, error: serializeError(error) });
  }
}

async function main(): Promise<void> {
  if (!process.send) throw new Error('the conformance child runner is started by the suite over IPC (child_process.fork)');
  const recipe = await new Promise<ChildEngineRecipe>((resolve) =>
    process.once('message', (message: ParentMessage) => {
      if (message.type === 'open') resolve(message.recipe);
    }),
  );
  let engine: Engine;
  try {
    engine = await buildEngine(recipe);
  } catch (error) {
    await send({ type: 'failed', error: serializeError(error) });
    process.disconnect();
    return;
  }
  process.on('message', (message: ParentMessage) => void serve(engine, message));
  // A parent that dies leaves no orphan holding the store open.
  process.on('disconnect', () => void engine.close().finally(() => process.exit(0)));
  await send({ type: 'ready', name: engine.name, capabilities: { ...engine.capabilities } });
}

void main();
