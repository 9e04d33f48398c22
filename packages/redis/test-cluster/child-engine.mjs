// The conformance suite's second process opens the same cluster keys through this, with a Cluster
// client of its own (the child runner exits with its IPC channel, which ends the client).
import { Cluster } from 'ioredis';
import { RedisEngine } from '../dist/index.js';

export function openClusterEngine({ nodes, prefix }) {
  const client = new Cluster(nodes, { redisOptions: { maxRetriesPerRequest: 0, autoResendUnfulfilledCommands: false } });
  return new RedisEngine({ client, prefix });
}
