import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** A throwaway three-master Redis Cluster on loopback, from the `redis-server` on PATH. */
export interface LocalCluster {
  readonly nodes: Array<{ host: string; port: number }>;
  stop(): Promise<void>;
}

async function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Three ports whose cluster bus ports (port + 10000) are free too. */
async function freePorts(): Promise<number[]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const ports = [base, base + 1, base + 2];
    const all = [...ports, ...ports.map((port) => port + 10_000)];
    if ((await Promise.all(all.map(isFree))).every(Boolean)) return ports;
  }
  throw new Error('found no free ports for a local Redis Cluster');
}

export async function startLocalCluster(): Promise<LocalCluster> {
  const probe = spawnSync('redis-server', ['--version']);
  if (probe.error) {
    throw new Error('the cluster suite starts its own Redis Cluster and needs `redis-server` and `redis-cli` (Redis 6.2+) on PATH, e.g. `apt-get install redis-server`', { cause: probe.error });
  }
  const dir = mkdtempSync(join(tmpdir(), 'sessions-redis-cluster-'));
  const ports = await freePorts();
  const children: ChildProcess[] = ports.map((port) =>
    spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' }),
  );
  const stop = async () => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((child) => (child.exitCode !== null ? undefined : new Promise((resolve) => child.once('exit', resolve)))));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports) await waitFor(async () => (await ping(port)) === 'PONG', `redis-server on port ${port}`);
    const created = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8' });
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stderr || created.stdout}`);
    for (const port of ports) await waitFor(async () => /cluster_state:ok/.test(await info(port)), `cluster state ok on port ${port}`);
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes: ports.map((port) => ({ host: '127.0.0.1', port })), stop };
}

async function withClient<T>(port: number, body: (client: Redis) => Promise<T>): Promise<T | undefined> {
  const client = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await body(client);
  } catch {
    return undefined;
  } finally {
    client.disconnect();
  }
}

const ping = (port: number) => withClient(port, (client) => client.ping());
const info = async (port: number) => (await withClient(port, (client) => client.cluster('INFO') as Promise<string>)) ?? '';

async function waitFor(condition: () => Promise<boolean>, what: string): Promise<void> {
  const giveUp = Date.now() + 15_000;
  while (Date.now() < giveUp) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
