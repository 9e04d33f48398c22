import { createHash } from 'node:crypto';
import { describe, it } from 'vitest';
import type { Redis } from 'ioredis';
import { escapeId } from '../src/index.js';
import { hashTag, keySlot } from './support/key-slot.js';
import { monitorDuring, type MonitoredCommand } from './support/monitor.js';
import { redisFileScope } from './support/file-scope.js';
import { keysUnder, randomPrefix, REDIS_URL, testClient, testEngine } from './support/redis.js';
import { fullWorkload } from './support/workload.js';

// Ids full of what could break a key: the hash-tag braces, the segment separator, the escape character.
const USERS = ['alice', 'b:o{b}', '}{%3A:', 'ünï😀'];
const SCRIPT_COMMANDS = new Set(['eval', 'evalsha', 'eval_ro', 'evalsha_ro']);

const { client, prefixes } = redisFileScope();

async function keysOf(command: MonitoredCommand): Promise<string[]> {
  try {
    return (await client.call('COMMAND', 'GETKEYS', ...command.args)) as string[];
  } catch {
    return []; // commands without keys (PING, INFO, SCRIPT ...)
  }
}

/** Pipelines the engine sends, as the key lists of their commands (from ioredis' own key table). */
function recordPipelines(redis: Redis): string[][][] {
  const pipelines: string[][][] = [];
  const original = redis.pipeline.bind(redis);
  redis.pipeline = (...args: Parameters<Redis['pipeline']>) => {
    const pipeline = original(...args);
    const exec = pipeline.exec.bind(pipeline);
    pipeline.exec = (...execArgs: Parameters<typeof exec>) => {
      const queue = (pipeline as unknown as { _queue: Array<{ getKeys(): Array<string | Buffer> }> })._queue;
      pipelines.push(queue.map((command) => command.getKeys().map(String)));
      return exec(...execArgs);
    };
    return pipeline;
  };
  return pipelines;
}

describe('Redis Cluster safety', () => {
  it('touches, in every script, only keys of one slot that the script declared in KEYS', async ({ expect }) => {
    const prefix = randomPrefix('cluster');
    prefixes.push(prefix);
    const engine = testEngine(prefix, { expiryGraceMs: 0 });
    await engine.setup();
    const commands = await monitorDuring(REDIS_URL, () => fullWorkload(engine, USERS));
    await engine.close();

    const scripts = new Set<string>();
    let others = 0;
    let current: { declared: string[]; touched: string[] } | undefined;
    const checks: Array<{ declared: string[]; touched: string[] }> = [];
    for (const command of commands) {
      const mine = command.args.some((arg) => arg.startsWith(prefix));
      if (command.source !== 'lua') {
        current = undefined;
        if (!mine) continue;
        const name = command.args[0]!.toLowerCase();
        const keys = await keysOf(command);
        if (SCRIPT_COMMANDS.has(name)) {
          current = { declared: keys, touched: [] };
          checks.push(current);
          scripts.add(name.startsWith('evalsha') ? command.args[1]! : createHash('sha1').update(command.args[1]!).digest('hex'));
        } else {
          checks.push({ declared: keys, touched: keys });
          others++;
        }
      } else if (current) {
        current.touched.push(...(await keysOf(command)));
      }
    }
    expect(scripts.size, 'every one of the thirteen scripts ran').toBe(13);
    expect(others).toBeGreaterThan(20);
    for (const { declared, touched } of checks) {
      for (const key of touched) expect(declared, `a script touched ${key} without declaring it`).toContain(key);
      const slots = new Set([...declared, ...touched].map(keySlot));
      expect(slots.size, `one command spans slots: ${[...declared, ...touched].join(', ')}`).toBeLessThanOrEqual(1);
      for (const key of declared) expect(key.startsWith(prefix), `${key} is outside the prefix`).toBe(true);
    }
  });

  it('sends every pipeline to one slot', async ({ expect }) => {
    const prefix = randomPrefix('pipelines');
    prefixes.push(prefix);
    const redis = testClient();
    const pipelines = recordPipelines(redis);
    const engine = testEngine(prefix, { client: redis, expiryGraceMs: 0 });
    await engine.setup();
    await fullWorkload(engine, USERS);
    await engine.close();
    redis.disconnect();
    expect(pipelines.length).toBeGreaterThan(10);
    for (const keys of pipelines) expect(new Set(keys.flat().map(keySlot)).size).toBeLessThanOrEqual(1);
  });

  it('gives every key a hash tag: the escaped user id, or {:} for the two global keys', async ({ expect }) => {
    const prefix = randomPrefix('tags');
    prefixes.push(prefix);
    const engine = testEngine(prefix);
    await engine.setup();
    await fullWorkload(engine, USERS);
    await engine.close();
    const keys = await keysUnder(client, prefix);
    const tags = new Set([':', ...USERS.map(escapeId)]);
    const shapes = [/^\{:\}(users|schema)$/, /^\{[^{}:]+\}:[ucxndr]$/, /^\{[^{}:]+\}:[smil]:[^{}:]+$/];
    expect(keys.length).toBeGreaterThan(USERS.length * 4);
    for (const key of keys) {
      const rest = key.slice(prefix.length);
      expect(
        shapes.some((shape) => shape.test(rest)),
        `${key} has no documented shape`,
      ).toBe(true);
      expect(tags.has(hashTag(key)!), `${key} carries an unexpected hash tag`).toBe(true);
    }
    const usedTags = new Set(keys.map((key) => hashTag(key)));
    for (const userId of USERS) expect(usedTags.has(escapeId(userId))).toBe(true);
  });
});
