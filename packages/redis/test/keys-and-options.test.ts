import { describe, it } from 'vitest';
import fc from 'fast-check';
import { createEngine, SchemaVersionError, SessionManager, ValidationError } from '@sessions/core';
import { escapeId, fromUrl, KeySpace, RedisEngine } from '../src/index.js';
import { redisFileScope } from './support/file-scope.js';
import { dropPrefix, randomPrefix, REDIS_URL, testEngine } from './support/redis.js';

const { client, prefixes, engines } = redisFileScope();
const prefix = randomPrefix('keys');
prefixes.push(prefix);

describe('key escaping', () => {
  it('maps distinct ids to distinct escaped ids that hold no ":", "{" or "}"', ({ expect }) => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 12 }), (a, b) => {
        expect(escapeId(a)).not.toMatch(/[:{}]/);
        if (a !== b) expect(escapeId(a)).not.toBe(escapeId(b));
      }),
      { numRuns: 2_000 },
    );
    for (const [a, b] of [
      [':', '%3A'],
      ['{', '%7B'],
      ['%', '%25'],
    ])
      expect(escapeId(a!)).not.toBe(escapeId(b!));
  });

  it('never lets the split between user id and session id collide', ({ expect }) => {
    const keys = new KeySpace('p:');
    const a = keys.session({ userId: 'a:b', sessionId: 'c' });
    const b = keys.session({ userId: 'a', sessionId: 'b:c' });
    expect(a.session).not.toBe(b.session);
    expect(keys.session({ userId: 'x}', sessionId: '{y' }).session).toBe('p:{x%7D}:s:%7By');
  });

  it('keeps users whose ids differ only in escaped characters apart', async ({ expect }) => {
    const engine = testEngine(prefix);
    engines.push(engine);
    await engine.setup();
    const manager = new SessionManager({ engine });
    const users = [':', '%3A', '{:}', '}', 'a:b', 'a%3Ab'];
    for (const userId of users) await manager.create({ userId, sessionId: 'same:{id}', title: userId });
    for (const userId of users) {
      const listed = await manager.list({ userId });
      expect(listed.sessions.map((session) => session.title)).toEqual([userId]);
    }
  });
});

describe('options', () => {
  it('rejects bad options with ValidationError', ({ expect }) => {
    expect(() => new RedisEngine({})).toThrow(ValidationError);
    expect(() => new RedisEngine({ url: REDIS_URL, client })).toThrow(/exactly one/);
    expect(() => new RedisEngine({ url: REDIS_URL, prefix: 'app{1}:' })).toThrow(/must not contain/);
    expect(() => new RedisEngine({ url: REDIS_URL, defaultTtlMs: 0 })).toThrow(ValidationError);
    expect(() => new RedisEngine({ url: REDIS_URL, expiryGraceMs: -1 })).toThrow(ValidationError);
    expect(() => new RedisEngine({ url: 'http://127.0.0.1:6379' })).toThrow(ValidationError);
  });

  it('refuses a prefix holding another layout version instead of misreading it', async ({ expect }) => {
    const foreign = randomPrefix('layout');
    await client.set(new KeySpace(foreign).schema, '999');
    const engine = testEngine(foreign);
    const error = await engine.setup().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SchemaVersionError);
    expect((error as Error).message).toMatch(/schema version 999, but this @sessions\/redis reads version 1: upgrade @sessions\/redis/);
    await engine.close();
    await dropPrefix(client, foreign);
  });
});

describe('fromUrl and createEngine', () => {
  it('reads host, port, password, db number and engine options from redis:// URLs', ({ expect }) => {
    const engine = fromUrl('redis://:s3cret@127.0.0.1:6390/3?prefix=chat:&defaultTtlMs=60000&expiryGraceMs=0') as RedisEngine;
    const options = (engine.client as unknown as { options: Record<string, unknown> }).options;
    expect(options).toMatchObject({ host: '127.0.0.1', port: 6390, password: 's3cret', db: 3 });
    expect(options['tls']).toBeUndefined();
    expect(engine.prefix).toBe('chat:');
    expect(() => fromUrl('redis://127.0.0.1/0?defaultTtlMs=soon')).toThrow(ValidationError);
    expect(() => fromUrl('postgres://127.0.0.1/x')).toThrow(ValidationError);
  });

  it('turns TLS on for rediss:// URLs, whatever the case of the scheme', ({ expect }) => {
    for (const url of ['rediss://user:pw@cache.example.com:6380/1', 'REDISS://cache.example.com']) {
      const options = ((fromUrl(url) as RedisEngine).client as unknown as { options: Record<string, unknown> }).options;
      expect(options['tls']).toBeTruthy();
    }
  });

  it("is what core's createEngine builds for redis:// URLs", async ({ expect }) => {
    const url = new URL(REDIS_URL);
    url.searchParams.set('prefix', prefix);
    // createEngine loads the built package (dist); these tests import the sources.
    const engine = (await createEngine(url.toString())) as RedisEngine;
    engines.push(engine);
    expect(engine.constructor.name).toBe('RedisEngine');
    expect(engine.prefix).toBe(prefix);
    await engine.setup();
    const manager = new SessionManager({ engine });
    const session = await manager.create({ userId: 'created-by-url' });
    expect(await manager.get(session)).toMatchObject({ userId: 'created-by-url' });
  });
});
