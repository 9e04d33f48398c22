import type { RedisClient } from './redis-client.js';
import { pipelineResults } from './store.js';

/** `waitForReplicas`: how many replicas must have a write, and how long to wait for them. */
export interface WaitForReplicas {
  /** Replicas that must acknowledge each write (Redis `WAIT numreplicas`). */
  readonly replicas: number;
  /** How long to wait for them, in ms (`WAIT ... timeout`; never 0, which would wait forever). */
  readonly timeoutMs: number;
}

/**
 * Fewer replicas than `waitForReplicas.replicas` acknowledged a write in time. The write is
 * applied on the master (WAIT cannot undo it) but may be lost if that master fails before a
 * replica has it. Reaches callers as the `cause` of a `StorageError`.
 */
export class ReplicaAckError extends Error {
  readonly acknowledged: number;
  readonly required: number;

  constructor(acknowledged: number, wait: WaitForReplicas) {
    super(
      `waitForReplicas: ${acknowledged} of ${wait.replicas} replica(s) acknowledged the write within ${wait.timeoutMs} ms; ` +
        'it is applied on the master but would be lost if the master failed before a replica had it. ' +
        'Retrying is safe where the write carries its ids (a repeated append of the same message ids fails with MessageExistsError if the first one landed)',
    );
    this.name = 'ReplicaAckError';
    this.acknowledged = acknowledged;
    this.required = wait.replicas;
  }
}

/**
 * Waits until `wait.replicas` replicas have every write this client sent so far, or throws
 * `ReplicaAckError`. WAIT counts the writes of the connection it is sent on, so it must go
 * where the write went: with `keys`, on the connection of each key's slot (in a Cluster, a
 * pipeline of a read of that key and WAIT goes to that slot's master, on the connection that
 * carried the write); without, on every master (writes that spanned many slots).
 */
export async function awaitReplicas(client: RedisClient, wait: WaitForReplicas, keys?: readonly string[]): Promise<void> {
  const args = [wait.replicas, wait.timeoutMs];
  let counts: Array<Promise<unknown>>;
  if (keys !== undefined) {
    counts = keys.map(
      async (key) =>
        pipelineResults(
          await client
            .pipeline()
            .exists(key)
            .call('WAIT', ...args)
            .exec(),
        )[1],
    );
  } else if (client.isCluster === true && client.nodes) {
    counts = client.nodes('master').map((node) => node.call('WAIT', ...args));
  } else {
    counts = [client.call('WAIT', ...args)];
  }
  const fewest = Math.min(...((await Promise.all(counts)) as number[]));
  if (fewest < wait.replicas) throw new ReplicaAckError(fewest, wait);
}
