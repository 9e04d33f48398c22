import { abortable } from '@sessions/core/engine';
import { queues } from './lock-state.js';

/**
 * Waits for this thread's earlier callers for the lock `file`, in order, so only one of them at
 * a time polls the lock; returns the function that lets the next one in.
 */
export async function enterQueue(file: string, signal: AbortSignal | undefined): Promise<() => void> {
  const previous = queues.get(file) ?? Promise.resolve();
  let leave!: () => void;
  const mine = new Promise<void>((resolve) => (leave = resolve));
  const tail = previous.then(() => mine);
  queues.set(file, tail);
  void tail.then(() => {
    if (queues.get(file) === tail) queues.delete(file);
  });
  try {
    await abortable(previous, signal);
  } catch (error) {
    // Those queued behind still wait for `previous` through `tail`; we just step out.
    leave();
    throw error;
  }
  return leave;
}
