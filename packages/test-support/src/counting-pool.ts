/** The statements a counting pool has seen, and a way to count what one piece of code sends. */
export interface StatementLog<S> {
  /** Every statement sent, in order; set `sent.length = 0` to start over. */
  readonly sent: S[];
  /** How many statements `body` sent. */
  count(body: () => Promise<unknown>): Promise<number>;
}

/** How to recognise statements on a driver's pool. */
export interface PoolShape<S> {
  /** Methods (on the pool and on its connections) that send one statement each. */
  readonly sends: readonly string[];
  /** Methods of the pool that resolve to a checked-out connection, whose sends count too. */
  readonly checkouts: readonly string[];
  /** What to log of a sending call, given its first two arguments (statement, values). Default: the statement itself. */
  readonly record?: (statement: unknown, values: unknown) => S;
}

/**
 * Wraps a driver's pool so every statement sent through it, or through a connection checked
 * out of it, is logged: each one is a round trip. Everything else passes straight through, so
 * the wrapper stands in for the pool wherever the pool is accepted.
 *
 * @example
 * const pool = countingPool(new pg.Pool(...), { sends: ['query'], checkouts: ['connect'] })
 * expect(await pool.count(() => sessions.append(key, message))).toBe(1)
 */
export function countingPool<P extends object, S = unknown>(inner: P, shape: PoolShape<S>): P & StatementLog<S> {
  const sent: S[] = [];
  const log: StatementLog<S> = {
    sent,
    async count(body) {
      const before = sent.length;
      await body();
      return sent.length - before;
    },
  };
  const record = shape.record ?? ((statement: unknown) => statement as S);
  const pool = recording(inner, shape, (args) => sent.push(record(args[0], args[1])));
  return new Proxy(pool, {
    get: (target, property) => (property === 'sent' || property === 'count' ? log[property] : Reflect.get(target, property)),
  }) as P & StatementLog<S>;
}

function recording<T extends object>(target: T, shape: PoolShape<unknown>, log: (args: unknown[]) => void): T {
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (shape.sends.includes(property)) {
        return (...args: unknown[]) => {
          log(args);
          return method.apply(object, args);
        };
      }
      if (shape.checkouts.includes(property)) {
        return async (...args: unknown[]) => recording((await method.apply(object, args)) as object, shape, log);
      }
      return method.bind(object);
    },
  });
}
