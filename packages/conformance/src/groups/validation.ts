import { inspect } from 'node:util';
import { describe, it } from 'vitest';
import { and, eq, MAX_JSON_DEPTH, parseFilter, SessionManager, ValidationError, type Filter, type JsonObject, type JsonValue } from '@sessions/core';
import { caught, randomId, randomKey, useEngine } from '../harness.js';
import type { ConformanceInitializer } from '../initializer.js';
import type { ConformanceOptions } from '../options.js';

/** A bad value as a failure message shows it: NaN, functions, BigInt, cycles and undefined included. */
const show = (value: unknown): string => inspect(value, { depth: 4, breakLength: Infinity });

/** Bad input is a ValidationError that says what to fix, and nothing is partially written. */
export function validationTests(init: ConformanceInitializer, _options: ConformanceOptions = {}): void {
  describe('validation', () => {
    const ctx = useEngine(init);

    it('rejects bad ids before anything reaches the store', async ({ expect }) => {
      const manager = ctx.manager();
      const bad: unknown[] = ['', 'a\u0000b', 'tab\there', 'line\nbreak', 'x'.repeat(256), '\ud800lone', 42, null, undefined, { id: 1 }];
      for (const userId of bad) {
        expect(
          await caught(manager.create({ userId: userId as string })),
          `SessionManager.create must throw ValidationError for the userId ${show(userId)} before anything reaches the store`,
        ).toBeInstanceOf(ValidationError);
        expect(
          await caught(manager.get({ userId: userId as string, sessionId: 's' })),
          `SessionManager.get must throw ValidationError for the userId ${show(userId)} before anything reaches the store`,
        ).toBeInstanceOf(ValidationError);
      }
      for (const sessionId of bad.filter((v) => v !== undefined)) {
        expect(
          await caught(manager.create({ userId: 'u', sessionId: sessionId as string })),
          `SessionManager.create must throw ValidationError for the sessionId ${show(sessionId)} before anything reaches the store`,
        ).toBeInstanceOf(ValidationError);
      }
      const longest = '字'.repeat(255);
      const created = await manager.create({ userId: randomId('u'), sessionId: longest });
      expect((await manager.get(created))?.sessionId, 'createSession and getSession must keep a 255-character id of non-ASCII characters exactly').toBe(
        longest,
      );
    });

    it('rejects non-JSON values, cycles and NUL characters with a path to the problem', async ({ expect }) => {
      const manager = ctx.manager();
      const key = randomKey();
      await manager.create(key);
      const cyclic: Record<string, unknown> = {};
      cyclic['self'] = cyclic;
      const badMetadata: unknown[] = [
        cyclic,
        { when: new Date() },
        { n: Number.NaN },
        { n: Infinity },
        { f: () => 1 },
        { big: 1n },
        { u: undefined },
        { s: 'nul\u0000' },
        [1],
        'text',
        null,
      ];
      for (const metadata of badMetadata) {
        const error = await manager.update(key, { metadata: metadata as never }).catch((e: unknown) => e);
        expect(error, `SessionManager.update must throw ValidationError for the metadata ${show(metadata)}`).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).path, `the ValidationError for the metadata ${show(metadata)} must name the path to the problem`).toMatch(/metadata/);
      }
      expect(
        await caught(manager.append(key, { role: 'user', content: { text: 'objects are not content' } as never })),
        'SessionManager.append must throw ValidationError for object content (content is a string or an array of parts)',
      ).toBeInstanceOf(ValidationError);
      expect(
        await caught(manager.append(key, { role: 'robot' as never, content: 'x' })),
        'SessionManager.append must throw ValidationError for an unknown role',
      ).toBeInstanceOf(ValidationError);
      expect(
        await caught(manager.append(key, { role: 'user', content: 'x', extra: 1 } as never)),
        'SessionManager.append must throw ValidationError for an unknown message key',
      ).toBeInstanceOf(ValidationError);
      expect(await caught(manager.setState(key, cyclic as never)), 'SessionManager.setState must throw ValidationError for a cyclic state').toBeInstanceOf(
        ValidationError,
      );
      expect(await manager.get(key), 'a refused write must leave the session unchanged (no metadata, state, messages or version bump)').toMatchObject({
        metadata: {},
        state: {},
        messageCount: 0,
        version: 0,
      });
    });

    it('stores JSON nested as deep as core allows, exactly, and refuses one level more with ValidationError', async ({ expect }) => {
      const manager = ctx.manager();
      const key = randomKey();
      // levels(n): n nested objects and arrays in all, the outermost included
      const levels = (n: number): JsonObject => {
        let value: JsonValue = 'leaf';
        for (let i = 1; i < n; i++) value = i % 2 === 0 ? { k: value } : [value];
        return { deep: value };
      };
      const deepest = levels(MAX_JSON_DEPTH);
      await manager.create({ ...key, metadata: deepest, state: deepest });
      const [stored] = await manager.append(key, { role: 'user', content: [{ type: 'data', value: levels(MAX_JSON_DEPTH - 2) }], metadata: deepest });
      expect(await manager.get(key), `createSession and getSession must store metadata and state nested ${MAX_JSON_DEPTH} levels deep exactly`).toMatchObject({
        metadata: deepest,
        state: deepest,
      });
      expect(await manager.messages(key), `appendMessages and getMessages must store message metadata nested ${MAX_JSON_DEPTH} levels deep exactly`).toEqual([
        stored,
      ]);
      expect(
        await caught(manager.update(key, { metadata: levels(MAX_JSON_DEPTH + 1) })),
        `SessionManager.update must throw ValidationError for metadata nested ${MAX_JSON_DEPTH + 1} levels deep`,
      ).toBeInstanceOf(ValidationError);
      expect(
        await caught(manager.append(key, { role: 'user', content: 'x', metadata: levels(MAX_JSON_DEPTH + 1) })),
        `SessionManager.append must throw ValidationError for message metadata nested ${MAX_JSON_DEPTH + 1} levels deep`,
      ).toBeInstanceOf(ValidationError);
      expect((await manager.get(key))?.metadata, 'a refused update must leave the stored metadata unchanged').toEqual(deepest);
      expect(await manager.messages(key), 'a refused append must write no message').toHaveLength(1);
    });

    it('rejects a message over the size limit and writes nothing of its batch', async ({ expect }) => {
      const manager = ctx.manager({ limits: { maxMessageBytes: 64 * 1024 } });
      const key = randomKey();
      await manager.create(key);
      const error = await manager
        .append(key, [
          { role: 'user', content: 'fine' },
          { role: 'user', content: 'x'.repeat(10 * 1024 * 1024) },
        ])
        .catch((e: unknown) => e);
      expect(error, 'SessionManager.append must throw ValidationError for a message over maxMessageBytes').toBeInstanceOf(ValidationError);
      expect((error as Error).message, 'the ValidationError for an oversized message must name the maxMessageBytes limit').toMatch(/maxMessageBytes/);
      expect(await manager.messages(key), 'appendMessages must write none of a batch that was refused').toEqual([]);
      expect((await manager.get(key))?.lastSeq, 'a refused batch must leave lastSeq unchanged').toBe(0);
    });

    it('rejects bad filters with ValidationError before querying', async ({ expect }) => {
      const where = (filter: unknown) => ctx.engine.findMany('sessions', { where: filter as Filter });
      const deep = Array.from({ length: 40 }).reduce<Filter>((inner) => ({ op: 'not', filter: inner }), eq('title', 'x'));
      const bad: unknown[] = [
        { op: 'eq', field: 'nope', value: 1 },
        { op: 'eq', field: 'title', value: null },
        { op: 'eq', field: 'title', value: 1 },
        { op: 'eq', field: 'lastSeq', value: 'one' },
        { op: 'eq', field: 'createdAt', value: 'yesterday' },
        { op: 'eq', field: 'status', value: 'deleted' },
        { op: 'eq', field: 'metadata', value: 'x' },
        { op: 'eq', field: 'state.x', value: 1 },
        { op: 'eq', field: 'metadata.a b', value: 1 },
        { op: 'eq', field: "metadata.x') OR 1=1 --", value: 1 },
        { op: 'gt', field: 'metadata.flag', value: true },
        { op: 'like', field: 'lastSeq', value: '1%' },
        { op: 'like', field: 'title', value: 'trailing\\' },
        { op: 'inArray', field: 'title', values: 'abc' },
        { op: 'inArray', field: 'metadata.x', values: [1, 'one'] },
        { op: 'regex', field: 'title', value: '.*' },
        { op: 'and', filters: 'x' },
        { op: 'not' },
        'title = 1',
        deep,
      ];
      for (const filter of bad) {
        expect(await caught(where(filter)), `findMany must throw ValidationError for the filter ${show(filter)} before querying`).toBeInstanceOf(
          ValidationError,
        );
      }
      expect(() => eq('title', null as never), 'eq with null must throw and point to isNull').toThrow(/isNull/);
      expect(() => parseFilter('{"op":"eq","field":"nope","value":1}'), 'parseFilter must throw ValidationError for an unknown field').toThrow(ValidationError);
      expect(
        await caught(ctx.engine.findMany('sessions', { where: and(), orderBy: [{ field: 'metadata', direction: 'asc' }] })),
        'findMany must throw ValidationError for an orderBy on a whole JSON column (metadata)',
      ).toBeInstanceOf(ValidationError);
      expect(await caught(ctx.engine.findMany('sessions', { limit: -1 })), 'findMany must throw ValidationError for a negative limit').toBeInstanceOf(
        ValidationError,
      );
    });

    it('rejects a heartbeat that is not well under the lease TTL', ({ expect }) => {
      expect(
        () => new SessionManager({ engine: ctx.engine, lockTtlMs: 1_000, heartbeatMs: 900 }),
        'new SessionManager must refuse heartbeatMs close to lockTtlMs',
      ).toThrow(ValidationError);
      expect(() => new SessionManager({ engine: ctx.engine, lockTtlMs: 0 }), 'new SessionManager must refuse lockTtlMs 0').toThrow(ValidationError);
      expect(() => new SessionManager({ engine: undefined as never }), 'new SessionManager must refuse a missing engine').toThrow(ValidationError);
    });
  });
}
