import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { killWithThisProcess } from './watchdog.js';

export interface LocalClusterNode {
  readonly host: string;
  readonly port: number;
}

/** A throwaway Redis Cluster on loopback (three masters, each with a replica), from the `redis-server` on PATH. */
export interface LocalCluster {
  /** Every node, masters and replicas. */
  readonly nodes: LocalClusterNode[];
  /** The node serving `port`'s slots as master now, and its replicas. */
  roles(): Promise<Array<{ port: number; role: 'master' | 'replica'; masterPort?: number }>>;
  /**
   * A planned failover: `CLUSTER FAILOVER` on a replica of the master at `masterPort`, which
   * waits for the replica to catch up before it takes over (nothing acknowledged is lost).
   * Resolves with the new master's port once every node agrees on it.
   */
  failover(masterPort: number): Promise<number>;
  /** Freezes the server on `port` (SIGSTOP), as a stalled VM would; `resume` thaws it. */
  pause(port: number): void;
  resume(port: number): void;
  stop(): Promise<void>;
}

const MASTERS = 3;
const REPLICAS_PER_MASTER = 1;

async function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** `count` consecutive ports whose cluster bus ports (port + 10000) are free too. */
async function freePorts(count: number): Promise<number[]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const ports = Array.from({ length: count }, (_, i) => base + i);
    const all = [...ports, ...ports.map((port) => port + 10_000)];
    if ((await Promise.all(all.map(isFree))).every(Boolean)) return ports;
  }
  throw new Error('found no free ports for a local Redis Cluster');
}

function requireRedisServer(): void {
  const probe = spawnSync('redis-server', ['--version']);
  if (probe.error) {
    throw new Error(
      'these tests start their own Redis servers and need `redis-server` and `redis-cli` (Redis 6.2+) on PATH, e.g. `apt-get install redis-server`',
      { cause: probe.error },
    );
  }
}

export interface LocalServer {
  readonly port: number;
  stop(): Promise<void>;
}

/** One throwaway Redis server on a free loopback port with extra configuration (e.g. `--maxmemory`). */
export async function startLocalServer(config: readonly string[]): Promise<LocalServer> {
  requireRedisServer();
  const [port] = await freePorts(1);
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...config], { stdio: 'ignore' });
  killWithThisProcess([child.pid!]);
  const kill = () => child.exitCode === null && child.kill('SIGKILL');
  process.once('exit', kill);
  const stop = async () => {
    process.off('exit', kill);
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  try {
    await waitFor(async () => (await ping(port!)) === 'PONG', `redis-server on port ${port}`);
  } catch (error) {
    await stop();
    throw error;
  }
  return { port: port!, stop };
}

export async function startLocalCluster(): Promise<LocalCluster> {
  requireRedisServer();
  const dir = mkdtempSync(join(tmpdir(), 'sessions-redis-cluster-'));
  const ports = await freePorts(MASTERS * (1 + REPLICAS_PER_MASTER));
  const children: ChildProcess[] = ports.map((port) =>
    spawn(
      'redis-server',
      // prettier-ignore
      ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`,
        '--cluster-node-timeout', '3000', '--dir', dir, '--save', '', '--appendonly', 'no',
        // Replicas start syncing at once, not after the default 5 s wait for more replicas to join.
        '--repl-diskless-sync-delay', '0'],
      { stdio: 'ignore' },
    ),
  );
  // A test worker that dies without reaching stop() must not leave servers running: at exit,
  // or, when it is killed outright, through the watchdog.
  killWithThisProcess(
    children.map((child) => child.pid!),
    dir,
  );
  const killAll = () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killAll);
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      for (const child of children) if (child.exitCode === null && child.kill('SIGCONT')) child.kill('SIGTERM');
      await Promise.all(children.map((child) => (child.exitCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', resolve)))));
      process.off('exit', killAll);
      rmSync(dir, { recursive: true, force: true });
    })());
  try {
    await Promise.all(ports.map((port) => waitFor(async () => (await ping(port)) === 'PONG', `redis-server on port ${port}`)));
    const created = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', String(REPLICAS_PER_MASTER), '--cluster-yes'],
      { encoding: 'utf8' },
    );
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stderr || created.stdout}`);
    await Promise.all(ports.map((port) => waitFor(async () => /cluster_state:ok/.test(await info(port, 'CLUSTER')), `cluster state ok on port ${port}`)));
    await waitFor(async () => (await roles(ports)).filter((node) => node.role === 'master').length === MASTERS, 'masters');
    // Replicas must be in sync before a test relies on them (WAIT, failover).
    const replicas = (await roles(ports)).filter((entry) => entry.role === 'replica');
    await Promise.all(
      replicas.map((node) => waitFor(async () => /master_link_status:up/.test(await info(node.port, 'REPLICATION')), `replica on port ${node.port} in sync`)),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    nodes: ports.map((port) => ({ host: '127.0.0.1', port })),
    roles: () => roles(ports),
    failover: async (masterPort) => {
      const replica = (await roles(ports)).find((node) => node.role === 'replica' && node.masterPort === masterPort);
      if (!replica) throw new Error(`no replica of the master on port ${masterPort}`);
      const reply = await withClient(replica.port, (client) => client.cluster('FAILOVER'));
      if (reply !== 'OK') throw new Error(`CLUSTER FAILOVER on port ${replica.port} answered ${String(reply)}`);
      await waitFor(async () => {
        const now = await roles(ports);
        return now.find((node) => node.port === replica.port)?.role === 'master' && now.find((node) => node.port === masterPort)?.role === 'replica';
      }, `port ${replica.port} to take over from ${masterPort}`);
      for (const port of ports) await waitFor(async () => /cluster_state:ok/.test(await info(port, 'CLUSTER')), `cluster state ok on port ${port}`);
      return replica.port;
    },
    pause: (port) => children[ports.indexOf(port)]!.kill('SIGSTOP'),
    resume: (port) => children[ports.indexOf(port)]!.kill('SIGCONT'),
    stop,
  };
}

async function roles(ports: readonly number[]): Promise<Array<{ port: number; role: 'master' | 'replica'; masterPort?: number }>> {
  return Promise.all(
    ports.map(async (port) => {
      const text = await info(port, 'REPLICATION');
      if (/role:master/.test(text)) return { port, role: 'master' as const };
      const masterPort = Number(/master_port:(\d+)/.exec(text)?.[1]);
      return { port, role: 'replica' as const, masterPort };
    }),
  );
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
async function info(port: number, section: 'CLUSTER' | 'REPLICATION'): Promise<string> {
  const text = await withClient(port, (client) => (section === 'CLUSTER' ? client.cluster('INFO') : client.info('replication')));
  return text ?? '';
}

async function waitFor(condition: () => Promise<boolean>, what: string): Promise<void> {
  const giveUp = Date.now() + 20_000;
  while (Date.now() < giveUp) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
