import { afterAll } from 'vitest';
import { conformanceOnCluster } from './conformance-on-cluster.js';
import { startLocalCluster, type LocalCluster } from './local-cluster.js';
import { replicationOnCluster } from './replication-on-cluster.js';

// One local Redis Cluster (three masters, a replica each) for every Cluster test: starting six
// servers and syncing their replicas is the slow part, so it is done once per run. Order
// matters, which is why they share one file: the failover, which moves a master, runs last.
let started: Promise<LocalCluster> | undefined;
// Started on first use: the conformance suite creates an engine while vitest collects the file.
const cluster = () => (started ??= startLocalCluster());

afterAll(async () => {
  await (await started?.catch(() => undefined))?.stop();
});

conformanceOnCluster(cluster);
replicationOnCluster(cluster);
