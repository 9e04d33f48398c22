import { afterAll, beforeAll, describe, it } from 'vitest';
import { Cluster, Redis } from 'ioredis';
import { SessionManager, SessionsError, StorageError, type SessionKey } from '@sessions/core';
import { KeySpace, RedisEngine, ReplicaAckError, type RedisEngineOptions } from '../src/index.js';
import { randomPrefix } from '../test/support/redis.js';
import type { LocalCluster } from './local-cluster.js';

/**
 * On three masters with a replica each: what replication promises, then (last, as it moves a
 * master) a planned failover in the middle of concurrent runs.
 */
export function replicationOnCluster(start: () => Promise<LocalCluster>): void {
  describe('replication on a Redis Cluster', () => {
    let cluster: LocalCluster;
    let raw: Cluster;
    const engines: RedisEngine[] = [];

    beforeAll(async () => {
      cluster = await start();
      raw = new Cluster(cluster.nodes);
    });
    afterAll(async () => {
      await Promise.allSettled(engines.map((engine) => engine.close()));
      for (const engine of engines) (engine.client as Cluster).disconnect();
      raw?.disconnect();
    });

    /** An engine on a Cluster client of its own, as one app server has. */
    async function engineOn(prefix: string, options: Omit<RedisEngineOptions, 'url' | 'client' | 'prefix'> = {}): Promise<RedisEngine> {
      const client = new Cluster(cluster.nodes, { redisOptions: { maxRetriesPerRequest: 0, autoResendUnfulfilledCommands: false, commandTimeout: 5_000 } });
      client.on('error', () => undefined);
      const engine = new RedisEngine({ client, prefix, ...options });
      engines.push(engine);
      await engine.setup();
      return engine;
    }

    /** The port of the master serving `key`'s slot, and of its replica. */
    async function nodesOf(key: string): Promise<{ master: number; replica: number }> {
      const slot = await raw.cluster('KEYSLOT', key);
      const ranges = (await raw.cluster('SLOTS')) as unknown as Array<[number, number, [string, number]]>;
      const master = ranges.find(([start, end]) => slot >= start && slot <= end)![2][1];
      const replica = (await cluster.roles()).find((node) => node.role === 'replica' && node.masterPort === master);
      if (!replica) throw new Error(`the master on port ${master} has no replica`);
      return { master, replica: replica.port };
    }

    /** A replica's copy of a session's messages, read from the replica itself. */
    async function onReplica(port: number, key: string): Promise<number> {
      const replica = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 0 });
      try {
        await replica.call('READONLY');
        return await replica.zcard(key);
      } finally {
        replica.disconnect();
      }
    }

    describe('waitForReplicas on a Cluster with a replica per master', () => {
      it('returns from each write only once a replica holds it', async ({ expect }) => {
        const prefix = randomPrefix('wait');
        const sessions = new SessionManager({ engine: await engineOn(prefix, { waitForReplicas: { replicas: 1, timeoutMs: 5_000 } }) });
        const key = { userId: 'alice', sessionId: 'chat' };
        await sessions.create(key);
        const messagesKey = new KeySpace(prefix).session(key).messages;
        const { replica } = await nodesOf(messagesKey);
        for (let turn = 1; turn <= 5; turn++) {
          await sessions.run(key, ({ append }) => append({ role: 'user', content: `turn ${turn}` }));
          // No wait here: the acknowledgement promised the replica had it before append returned.
          expect(await onReplica(replica, messagesKey)).toBe(turn);
        }
      });

      it('fails a write with a StorageError naming the missing acknowledgement when no replica answers in time', async ({ expect }) => {
        const prefix = randomPrefix('wait');
        const sessions = new SessionManager({ engine: await engineOn(prefix, { waitForReplicas: { replicas: 1, timeoutMs: 300 } }) });
        const key = { userId: 'bob', sessionId: 'chat' };
        await sessions.create(key);
        const { replica } = await nodesOf(new KeySpace(prefix).session(key).session);
        cluster.pause(replica);
        let failure: unknown;
        try {
          await sessions.append(key, { id: 'm1', role: 'user', content: 'hello' });
        } catch (error) {
          failure = error;
        } finally {
          cluster.resume(replica);
        }
        expect(failure).toBeInstanceOf(StorageError);
        expect((failure as Error).message).toMatch(/0 of 1 replica\(s\) acknowledged the write within 300 ms/);
        expect((failure as Error).cause).toBeInstanceOf(ReplicaAckError);
        // The master applied it; a retry with the same id is refused, so nothing is stored twice.
        await expect(sessions.append(key, { id: 'm1', role: 'user', content: 'hello' })).rejects.toThrow(/m1/);
        expect((await sessions.messages(key)).map((message) => message.id)).toEqual(['m1']);
      });
    });

    describe('a planned failover (CLUSTER FAILOVER on a replica) during concurrent runs', () => {
      it('loses no acknowledged message and leaves seqs gap-free; calls fail only with retryable StorageErrors', async ({ expect }) => {
        const prefix = randomPrefix('failover');
        const engines = [await engineOn(prefix), await engineOn(prefix)];
        const managers = engines.map((engine) => new SessionManager({ engine, lockTtlMs: 3_000, heartbeatMs: 1_000 }));
        const keys: SessionKey[] = Array.from({ length: 6 }, (_, i) => ({ userId: `user-${i}`, sessionId: 'chat' }));
        for (const key of keys) await managers[0]!.create(key);
        const { master } = await nodesOf(new KeySpace(prefix).session(keys[0]!).session);

        const acknowledged = new Map<string, string[]>(keys.map((key) => [key.userId, []]));
        const failures: unknown[] = [];
        let turns = 0;
        let failedOver = false;
        let turnsAfter = 0;
        const worker = async (key: SessionKey, manager: SessionManager, name: string) => {
          // Until the failover is over, then a few turns more, against a hard cap so a stuck cluster cannot hang the test.
          for (let i = 0; i < 400 && turnsAfter < 60; i++) {
            try {
              await manager.run(
                key,
                async ({ append }) => {
                  const [message] = await append({ id: `${name}-${i}`, role: 'user', content: `${name} turn ${i}` });
                  acknowledged.get(key.userId)!.push(message!.id);
                },
                { waitMs: 10_000 },
              );
              turns += 1;
              if (failedOver) turnsAfter += 1;
            } catch (error) {
              failures.push(error);
              await new Promise((resolve) => setTimeout(resolve, 50));
            }
          }
        };
        const workers = keys.flatMap((key, k) => managers.map((manager, m) => worker(key, manager, `s${k}w${m}`)));
        while (turns < 30) await new Promise((resolve) => setTimeout(resolve, 20));
        const newMaster = await cluster.failover(master);
        failedOver = true;
        await Promise.all(workers);

        expect((await cluster.roles()).find((node) => node.port === newMaster)?.role).toBe('master');
        expect(turnsAfter).toBeGreaterThanOrEqual(60);
        for (const error of failures) {
          expect(error).toBeInstanceOf(SessionsError);
          expect(['STORAGE', 'LOCK_EXPIRED', 'LOCK_HELD']).toContain((error as SessionsError).code);
        }
        const reader = new SessionManager({ engine: await engineOn(prefix) });
        for (const key of keys) {
          const stored = await reader.messages(key);
          const session = (await reader.get(key))!;
          expect(stored.map((message) => message.seq)).toEqual(Array.from({ length: stored.length }, (_, i) => i + 1));
          expect(session).toMatchObject({ messageCount: stored.length, lastSeq: stored.length });
          const ids = new Set(stored.map((message) => message.id));
          expect(ids.size).toBe(stored.length);
          expect(acknowledged.get(key.userId)!.filter((id) => !ids.has(id))).toEqual([]);
          // Anything beyond the acknowledged messages is a write whose reply was lost in a failed call.
          expect(stored.length - acknowledged.get(key.userId)!.length).toBeLessThanOrEqual(failures.length);
        }
      });
    });
  });
}
