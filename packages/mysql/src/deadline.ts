/**
 * Settles as `work` does, or rejects with the error `expire()` returns once `ms` have passed.
 * `work` keeps running after expiry (the caller decides what to do with it); its late outcome
 * is ignored, never unhandled.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, expire: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(expire()), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
