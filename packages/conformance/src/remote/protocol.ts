/**
 * The messages between the suite and its child process (Node IPC with the `advanced`
 * serialization, so Dates, Maps and nested objects cross as they are).
 */
import type { EngineCapabilities } from '@sessions/core';
import type { ChildEngineRecipe } from './child-engine-recipe.js';
import type { SerializedError } from './error-transport.js';

/** Parent to child: first the recipe to open, then engine calls, then the request to close the engine and exit. */
export type ParentMessage =
  | { readonly type: 'open'; readonly recipe: ChildEngineRecipe }
  | { readonly type: 'call'; readonly id: number; readonly method: string; readonly args: readonly unknown[] }
  | { readonly type: 'close'; readonly id: number };

/** Child to parent: the engine is open (or could not be), or a call's outcome. */
export type ChildMessage =
  | { readonly type: 'ready'; readonly name: string; readonly capabilities: EngineCapabilities }
  | { readonly type: 'failed'; readonly error: SerializedError }
  | { readonly type: 'result'; readonly id: number; readonly value: unknown }
  | { readonly type: 'error'; readonly id: number; readonly error: SerializedError };
