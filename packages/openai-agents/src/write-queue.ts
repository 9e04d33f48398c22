const queues = new Map<string, Promise<void>>();

/**
 * Runs `write` after the writes this process queued under the same name, one at a time. Writes
 * made under a caller's lease need it: the lease keeps other holders out, not this process's
 * own concurrent calls, and a pop must not see an add land between its read and its truncate.
 */
export function queued<T>(name: string, write: () => Promise<T>): Promise<T> {
  const previous = queues.get(name) ?? Promise.resolve();
  const result = previous.then(write);
  const tail = result.then(
    () => undefined,
    () => undefined,
  );
  queues.set(name, tail);
  void tail.then(() => {
    if (queues.get(name) === tail) queues.delete(name);
  });
  return result;
}
