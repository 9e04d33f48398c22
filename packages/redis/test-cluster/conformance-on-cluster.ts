import { fileURLToPath } from 'node:url';
import { afterAll, describe } from 'vitest';
import { Cluster } from 'ioredis';
import { runConformance } from '@sessions/conformance';
import type { Engine } from '@sessions/core';
import { RedisEngine } from '../src/index.js';
import { randomPrefix, rawReader } from '../test/support/redis.js';
import type { LocalCluster } from './local-cluster.js';

const childEngine = fileURLToPath(new URL('./child-engine.mjs', import.meta.url));

/**
 * The whole conformance suite on a real Redis Cluster (three masters, a replica each), through
 * ioredis' Cluster client: any script or pipeline that crossed slots would fail here with
 * CROSSSLOT. `cluster` starts it on first use (the suite creates an engine while collecting).
 */
export function conformanceOnCluster(cluster: () => Promise<LocalCluster>): void {
  let raw: Cluster | undefined;
  let clusterNodes: LocalCluster['nodes'] | undefined;
  const clients = new Map<Engine, Cluster>();

  async function make(prefix: string): Promise<RedisEngine> {
    const { nodes } = await cluster();
    clusterNodes = nodes;
    raw ??= new Cluster(nodes);
    const client = new Cluster(nodes, { redisOptions: { maxRetriesPerRequest: 0, autoResendUnfulfilledCommands: false } });
    const engine = new RedisEngine({ client, prefix });
    clients.set(engine, client);
    return engine;
  }

  describe('on a Redis Cluster', () => {
    // Quit once the suite is done, before the failover that follows reshapes the cluster.
    afterAll(async () => {
      await raw?.quit();
    });
    // The 100,000-message group runs in test/conformance.test.ts; here a size that still stages
    // in several chunks (so a staging key in another slot would fail with CROSSSLOT) keeps this file short.
    runConformance(
      {
        name: 'redis cluster',
        create: () => make(randomPrefix('cluster')),
        reopen: (engine) => make((engine as RedisEngine).prefix),
        // The suite's second process reaches the same keys through a Cluster client of its own.
        openInAnotherProcess: (engine) => ({
          module: childEngine,
          exportName: 'openClusterEngine',
          args: [{ nodes: clusterNodes, prefix: (engine as RedisEngine).prefix }],
        }),
        // Each engine's cluster is thrown away with the cluster itself; just let go of the client.
        destroy: (engine) => clients.get(engine)?.disconnect(),
        // The suite reads only after it created the engine (which created `raw`).
        raw: (engine) => rawReader(raw!, engine),
      },
      { largeSessionMessages: 12_000 },
    );
  });
}
