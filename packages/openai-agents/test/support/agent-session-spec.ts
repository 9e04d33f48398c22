import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Agent, MemorySession, run, setTracingDisabled, tool, type AgentInputItem, type Session } from '@openai/agents-core';
import { LockExpiredError, LockHeldError, SessionManager, ValidationError, type SessionKey } from '@sessions/core';
import { ulid } from '@sessions/core/engine';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { itemToMessage, METADATA_KEY, SessionsAgentSession } from '../../src/index.js';
import type { Backend, Store } from './backends.js';
import { itemCatalogue } from './items.js';
import { legacyTombstone } from './legacy-tombstone.js';
import { assistantSays, failingModel, nameRecallModel, StubModel, type Respond } from './stub-model.js';

setTracingDisabled(true);

const execFileAsync = promisify(execFile);
const FIRST_TURN_SCRIPT = fileURLToPath(new URL('../fixtures/first-turn.mjs', import.meta.url));
const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));

function newKey(): SessionKey {
  return { userId: `user_${ulid()}`, sessionId: `chat_${ulid()}` };
}

function userItem(text: string): AgentInputItem {
  return { type: 'message', role: 'user', content: text };
}

/** Runs an agent to completion, streamed or not, and returns its final output. */
async function runAgent(agent: Agent, input: string, session: Session, stream = false): Promise<unknown> {
  if (!stream) return (await run(agent, input, { session })).finalOutput;
  const result = await run(agent, input, { session, stream: true });
  for await (const _event of result) {
    // Drain the stream: the SDK saves the turn when it completes.
  }
  await result.completed;
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows whatever the run failed with, unchanged
  if (result.error) throw result.error;
  return result.finalOutput;
}

const weatherTool = tool({
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: z.object({ city: z.string() }),
  execute: async ({ city }) => `sunny in ${city}`,
});

/** A model that calls get_weather once, then answers from the tool's result. */
const weatherScript: Respond = (request, call) => {
  if (call % 2 === 0) return [{ type: 'function_call', callId: `call_${call}`, name: 'get_weather', arguments: '{"city":"Zürich"}', status: 'completed' }];
  const input = request.input as AgentInputItem[];
  const result = input.findLast((item) => item.type === 'function_call_result');
  const output = result && result.type === 'function_call_result' && typeof result.output === 'object' && 'text' in result.output ? result.output.text : '?';
  return [{ type: 'message', role: 'assistant', status: 'completed', id: `msg_w_${call}`, content: [{ type: 'output_text', text: `It is ${output}.` }] }];
};

/**
 * The behaviour `SessionsAgentSession` promises, run against one backend: the OpenAI Agents
 * SDK's real `run()` with a stub model, history in a real store.
 */
export function describeAgentSession(backend: Backend): void {
  describe(`SessionsAgentSession on ${backend.name}`, () => {
    let store: Store;
    let sessions: SessionManager;

    let unavailable: unknown;

    beforeAll(async () => {
      try {
        store = await backend.open();
        sessions = new SessionManager({ engine: store.engine });
      } catch (error) {
        unavailable = error;
      }
    });

    // A store that cannot be reached fails every test with the reason (and how to start the server): never a skip.
    beforeEach(() => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows whatever opening the store failed with, unchanged
      if (unavailable) throw unavailable;
    });

    afterAll(async () => {
      await store?.dispose();
    });

    async function freshManager(): Promise<SessionManager> {
      return new SessionManager({ engine: await store.reopen() });
    }

    describe('remembering across runs', () => {
      it('answers "What\'s my name?" from the first turn, read by a fresh SessionManager and engine on the same store', async () => {
        const key = newKey();
        const agent = new Agent({ name: 'assistant', model: nameRecallModel() });
        await run(agent, 'My name is Alice', { session: new SessionsAgentSession({ sessions, ...key }) });

        const model = nameRecallModel();
        const later = new Agent({ name: 'assistant', model });
        const result = await run(later, "What's my name?", { session: new SessionsAgentSession({ sessions: await freshManager(), ...key }) });

        expect(result.finalOutput).toBe('Your name is Alice.');
        expect(model.requests[0]!.input).toEqual([
          { type: 'message', role: 'user', content: 'My name is Alice' },
          expect.objectContaining({ role: 'assistant', content: [{ type: 'output_text', text: 'Noted: My name is Alice' }] }),
          { type: 'message', role: 'user', content: "What's my name?" },
        ]);
      });

      if (backend.persistent) {
        it('answers "What\'s my name?" from a first turn that another process ran', async () => {
          const key = newKey();
          const { stdout } = await execFileAsync(process.execPath, [FIRST_TURN_SCRIPT, store.url!, key.userId, key.sessionId, 'My name is Alice'], {
            cwd: PACKAGE_ROOT,
            timeout: 60_000,
          });
          expect(stdout.trim()).toBe('Noted: My name is Alice');

          const agent = new Agent({ name: 'assistant', model: nameRecallModel() });
          const result = await run(agent, "What's my name?", { session: new SessionsAgentSession({ sessions: await freshManager(), ...key }) });
          expect(result.finalOutput).toBe('Your name is Alice.');
        });
      }

      it('creates the session on the first write, with a generated id when none is given', async () => {
        const userId = `user_${ulid()}`;
        const session = new SessionsAgentSession({ sessions, userId, newSession: { title: 'Support chat', metadata: { channel: 'web' } } });
        expect(session.key.sessionId).toMatch(/^sess_/);
        expect(await session.getItems()).toEqual([]);
        expect(await session.popItem()).toBeUndefined();
        expect(await sessions.get(session.key)).toBeNull();

        await run(new Agent({ name: 'a', model: nameRecallModel() }), 'hello', { session });
        expect(await session.getSessionId()).toBe(session.key.sessionId);
        expect(await sessions.get(session.key)).toMatchObject({ title: 'Support chat', metadata: { channel: 'web' }, messageCount: 2 });
      });

      it('starts the session afresh when it was deleted under a live session object', async () => {
        const session = new SessionsAgentSession({ sessions, ...newKey() });
        await session.addItems([userItem('before')]);
        await sessions.delete(session.key);
        await session.addItems([userItem('after')]);
        expect(await session.getItems()).toEqual([userItem('after')]);
      });

      it('reads an expired session as empty and starts it afresh on the next write', async () => {
        let now = Date.now();
        const clocked = new SessionManager({ engine: sessions.engine, clock: () => now });
        const session = new SessionsAgentSession({ sessions: clocked, ...newKey(), newSession: { ttlMs: 60_000 } });
        await session.addItems([userItem('My name is Alice')]);
        now += 61_000;

        const model = nameRecallModel();
        const result = await run(new Agent({ name: 'a', model }), "What's my name?", {
          session: new SessionsAgentSession({ sessions: clocked, ...session.key }),
        });
        expect(result.finalOutput).toBe("I don't know your name.");
        expect(model.requests[0]!.input).toEqual([userItem("What's my name?")]);
        expect(await session.getItems()).toHaveLength(2);
        expect(await clocked.get(session.key)).toMatchObject({ messageCount: 2, expiresAt: null });
      });
    });

    describe('isolation', () => {
      it('keeps two users with the same session id apart', async () => {
        const sessionId = `chat_${ulid()}`;
        const alice = new SessionsAgentSession({ sessions, userId: `alice_${ulid()}`, sessionId });
        const bob = new SessionsAgentSession({ sessions, userId: `bob_${ulid()}`, sessionId });

        await run(new Agent({ name: 'a', model: nameRecallModel() }), 'My name is Alice', { session: alice });
        const bobsModel = nameRecallModel();
        const answer = await run(new Agent({ name: 'a', model: bobsModel }), "What's my name?", { session: bob });

        expect(answer.finalOutput).toBe("I don't know your name.");
        expect(bobsModel.requests[0]!.input).toEqual([{ type: 'message', role: 'user', content: "What's my name?" }]);
        expect((await alice.getItems()).map((item) => ('content' in item ? item.content : null))).toEqual([
          'My name is Alice',
          [{ type: 'output_text', text: 'Noted: My name is Alice' }],
        ]);
        await bob.clearSession();
        expect(await alice.getItems()).toHaveLength(2);
      });
    });

    describe('failures', () => {
      it('leaves the history unchanged when the model call fails in a non-streamed run', async () => {
        const session = new SessionsAgentSession({ sessions, ...newKey() });
        await run(new Agent({ name: 'a', model: nameRecallModel() }), 'My name is Alice', { session });
        const before = await session.getItems();

        await expect(run(new Agent({ name: 'a', model: failingModel() }), 'second turn', { session })).rejects.toThrow('model provider unavailable');

        expect(await session.getItems()).toEqual(before);
        expect((await sessions.get(session.key))!.messageCount).toBe(2);
      });

      it('leaves the history unchanged when a model call fails after a tool ran', async () => {
        const session = new SessionsAgentSession({ sessions, ...newKey() });
        await session.addItems([userItem('earlier')]);
        const model = new StubModel((request, call) => {
          if (call === 0) return weatherScript(request, call);
          throw new Error('model provider unavailable');
        });
        await expect(run(new Agent({ name: 'a', model, tools: [weatherTool] }), 'weather?', { session })).rejects.toThrow('model provider unavailable');
        expect(await session.getItems()).toEqual([userItem('earlier')]);
      });

      it('keeps, in a streamed run that fails, exactly what the SDK keeps in its own MemorySession: the user input', async () => {
        const ours = new SessionsAgentSession({ sessions, ...newKey() });
        const reference = new MemorySession();
        for (const session of [ours, reference]) {
          await expect(runAgent(new Agent({ name: 'a', model: failingModel() }), 'streamed turn', session, true)).rejects.toThrow('model provider unavailable');
        }
        expect(await ours.getItems()).toEqual(await reference.getItems());
        expect(await ours.getItems()).toEqual([{ type: 'message', role: 'user', content: 'streamed turn' }]);
      });

      it('rejects items that are not JSON-storable with a ValidationError, writing none of the batch', async () => {
        const session = new SessionsAgentSession({ sessions, ...newKey() });
        await session.addItems([userItem('kept')]);
        const bad = [userItem('would be lost'), { role: 'user', content: 'x', providerData: { when: new Date() } } as AgentInputItem];
        await expect(session.addItems(bad)).rejects.toThrow(ValidationError);
        await expect(session.addItems('nope' as unknown as AgentInputItem[])).rejects.toThrow(ValidationError);
        await expect(session.getItems(1.5)).rejects.toThrow(ValidationError);
        expect(await session.getItems()).toEqual([userItem('kept')]);
      });

      it('writes nothing through a lease that was lost, and fails with LockExpiredError', async () => {
        const key = newKey();
        await sessions.create(key);
        const lease = await sessions.acquire(key, { ttlMs: 1_000 });
        const session = new SessionsAgentSession({ sessions, ...key, lease });
        await session.addItems([userItem('under the lease')]);
        await new Promise((resolve) => setTimeout(resolve, 1_200));
        const next = await sessions.acquire(key, { ttlMs: 5_000, owner: 'next-holder' });

        await expect(session.addItems([userItem('too late')])).rejects.toThrow(LockExpiredError);
        await expect(session.popItem()).rejects.toThrow(LockExpiredError);
        await expect(session.clearSession()).rejects.toThrow(LockExpiredError);
        expect(await new SessionsAgentSession({ sessions, ...key }).getItems()).toEqual([userItem('under the lease')]);
        await sessions.release(next);
      });
    });

    describe('exact storage', () => {
      it('gives back every kind of item, in order, deep-equal to what was added', async () => {
        const key = newKey();
        const items = itemCatalogue();
        await new SessionsAgentSession({ sessions, ...key }).addItems(items);

        const reader = new SessionsAgentSession({ sessions: await freshManager(), ...key });
        expect(await reader.getItems()).toStrictEqual(items);
        for (const limit of [1, 2, 7, items.length, items.length + 5]) {
          expect(await reader.getItems(limit)).toStrictEqual(items.slice(-limit));
        }
        expect(await reader.getItems(0)).toEqual([]);
        expect(await reader.getItems(-3)).toEqual([]);
      });

      it("round-trips tool calls and results exactly as the SDK's own MemorySession holds them", async () => {
        const ours = new SessionsAgentSession({ sessions, ...newKey() });
        const reference = new MemorySession();
        for (const session of [ours, reference]) {
          const agent = new Agent({ name: 'weather', model: new StubModel(weatherScript), tools: [weatherTool] });
          expect(await runAgent(agent, 'Weather in Zürich?', session)).toBe('It is sunny in Zürich.');
        }
        const items = await ours.getItems();
        expect(items).toStrictEqual(await reference.getItems());
        expect(items.map((item) => item.type)).toEqual(['message', 'function_call', 'function_call_result', 'message']);

        const messages = await sessions.messages(ours.key);
        expect(messages.map((message) => message.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
        expect(messages[1]).toMatchObject({ toolCalls: [{ id: 'call_0', type: 'function_call', name: 'get_weather', arguments: '{"city":"Zürich"}' }] });
        expect(messages[2]).toMatchObject({ toolCallId: 'call_0', name: 'get_weather', content: [{ type: 'text', text: 'sunny in Zürich' }] });
      });

      it('stores streamed and non-streamed runs as the same items', async () => {
        const results: AgentInputItem[][] = [];
        for (const stream of [false, true]) {
          const session = new SessionsAgentSession({ sessions, ...newKey() });
          const agent = new Agent({ name: 'weather', model: new StubModel(weatherScript), tools: [weatherTool] });
          await runAgent(agent, 'Weather in Zürich?', session, stream);
          await runAgent(new Agent({ name: 'a', model: nameRecallModel() }), 'My name is Alice', session, stream);
          // Only the ids the stub model makes up per call differ between the two runs.
          results.push((await session.getItems()).map(({ id: _id, ...rest }: AgentInputItem & { id?: string }) => rest as AgentInputItem));
        }
        expect(results[1]).toStrictEqual(results[0]);
      });

      it('shows other tools a readable conversation in the message columns', async () => {
        const session = new SessionsAgentSession({ sessions, ...newKey() });
        await run(new Agent({ name: 'a', model: nameRecallModel() }), 'My name is Alice', { session });
        const messages = await sessions.messages(session.key);
        expect(messages.map(({ role, content }) => ({ role, content }))).toEqual([
          { role: 'user', content: 'My name is Alice' },
          { role: 'assistant', content: [{ type: 'output_text', text: 'Noted: My name is Alice' }] },
        ]);
      });

      it('continues a conversation that another tool started, from its text messages', async () => {
        const key = newKey();
        await sessions.create({
          ...key,
          messages: [
            { role: 'user', content: 'My name is Bob' },
            { role: 'assistant', content: 'Hello Bob' },
          ],
        });
        const model = nameRecallModel();
        const result = await run(new Agent({ name: 'a', model }), "What's my name?", { session: new SessionsAgentSession({ sessions, ...key }) });
        expect(result.finalOutput).toBe('Your name is Bob.');
      });
    });

    describe('concurrency', () => {
      it('never interleaves the batches of concurrent addItems calls', async () => {
        const key = newKey();
        const writers = Array.from({ length: 8 }, (_, w) =>
          new SessionsAgentSession({ sessions, ...key }).addItems(Array.from({ length: 5 }, (_, i) => userItem(`w${w}-${i}`))),
        );
        await Promise.all(writers);
        const texts = (await new SessionsAgentSession({ sessions, ...key }).getItems()).map((item) => (item as { content: string }).content);
        expect(texts).toHaveLength(40);
        for (let start = 0; start < 40; start += 5) {
          const writer = texts[start]!.split('-')[0];
          expect(texts.slice(start, start + 5)).toEqual(Array.from({ length: 5 }, (_, i) => `${writer}-${i}`));
        }
      });

      it('keeps each of two concurrent runs on one session together: user message then its answer', async () => {
        const key = newKey();
        const slowEcho = () =>
          new StubModel(async (request) => {
            await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 30));
            const input = request.input as AgentInputItem[];
            return [assistantSays(`answer to ${(input.at(-1) as { content: string }).content}`)];
          });
        await Promise.all(
          ['first', 'second'].map((text) =>
            run(new Agent({ name: 'a', model: slowEcho() }), text, { session: new SessionsAgentSession({ sessions, ...key }) }),
          ),
        );
        const items = await new SessionsAgentSession({ sessions, ...key }).getItems();
        expect(items).toHaveLength(4);
        for (const start of [0, 2]) {
          const question = (items[start] as { content: string }).content;
          expect(items[start + 1]).toMatchObject({ role: 'assistant', content: [{ type: 'output_text', text: `answer to ${question}` }] });
        }
      });

      it('serialises whole turns under withLock, so the second turn sees the first', async () => {
        const key = newKey();
        const models = [nameRecallModel(), nameRecallModel()];
        const events: string[] = [];
        let firstHasLease!: () => void;
        const firstStarted = new Promise<void>((resolve) => (firstHasLease = resolve));
        const turn = (input: string, model: StubModel) =>
          SessionsAgentSession.withLock(
            { sessions, ...key },
            async (session, { signal }) => {
              events.push(`start ${input}`);
              firstHasLease();
              // Holds the lease a while, so the second turn has to wait for it.
              await new Promise((resolve) => setTimeout(resolve, 150));
              const result = await run(new Agent({ name: 'a', model }), input, { session, signal });
              events.push(`end ${input}`);
              return result;
            },
            { waitMs: 20_000 },
          );
        const first = turn('My name is Alice', models[0]!);
        await firstStarted;
        await Promise.all([first, turn("What's my name?", models[1]!)]);

        expect(events).toEqual(['start My name is Alice', 'end My name is Alice', "start What's my name?", "end What's my name?"]);
        expect(models[1]!.requests[0]!.input).toHaveLength(3);
        const items = await new SessionsAgentSession({ sessions, ...key }).getItems();
        expect((items.at(-1) as { content: { text: string }[] }).content[0]!.text).toBe('Your name is Alice.');
      });

      it('never returns the same item from two concurrent pops, across two managers', async () => {
        const key = newKey();
        const items = Array.from({ length: 12 }, (_, i) => userItem(`item ${i}`));
        await new SessionsAgentSession({ sessions, ...key }).addItems(items);
        const other = await freshManager();
        const popped = await Promise.all(
          Array.from({ length: 12 }, (_, i) => new SessionsAgentSession({ sessions: i % 2 === 0 ? sessions : other, ...key }).popItem()),
        );
        const texts = popped.map((item) => (item as { content: string } | undefined)?.content);
        expect(new Set(texts).size).toBe(12);
        expect([...texts].sort()).toEqual(items.map((item) => (item as { content: string }).content).sort());
        expect(await new SessionsAgentSession({ sessions, ...key }).getItems()).toEqual([]);
      });

      it('loses and duplicates nothing when adds and pops race, across two managers', async () => {
        const key = newKey();
        const other = await freshManager();
        let made = 0;
        const session = () => new SessionsAgentSession({ sessions: made++ % 2 === 0 ? sessions : other, ...key });
        await session().addItems(Array.from({ length: 6 }, (_, i) => userItem(`base ${i}`)));
        const added = Array.from({ length: 6 }, (_, i) => userItem(`added ${i}`));
        const results = await Promise.all([
          ...added.map((item) =>
            session()
              .addItems([item])
              .then(() => undefined),
          ),
          ...Array.from({ length: 6 }, () => session().popItem()),
        ]);
        const popped = results.filter((item): item is AgentInputItem => item !== undefined);
        const remaining = await session().getItems();
        // Nothing lost, nothing duplicated: what was popped plus what remains is everything added.
        const all = [...popped, ...remaining].map((item) => (item as { content: string }).content).sort();
        expect(all).toEqual([...Array.from({ length: 6 }, (_, i) => `base ${i}`), ...added.map((item) => (item as { content: string }).content)].sort());
        expect(popped).toHaveLength(6);
      });

      it("waits for a holder of the session's lease instead of writing past it, or fails with LockHeldError after waitMs", async () => {
        const key = newKey();
        await new SessionsAgentSession({ sessions, ...key }).addItems([userItem('one'), userItem('two')]);
        const lease = await sessions.acquire(key);
        const impatient = new SessionsAgentSession({ sessions, ...key, waitMs: 50 });
        await expect(impatient.addItems([userItem('three')])).rejects.toBeInstanceOf(LockHeldError);
        await expect(impatient.popItem()).rejects.toBeInstanceOf(LockHeldError);
        await expect(impatient.clearSession()).rejects.toBeInstanceOf(LockHeldError);

        const patient = new SessionsAgentSession({ sessions, ...key, waitMs: 10_000 });
        const popping = patient.popItem();
        setTimeout(() => void sessions.release(lease), 100);
        expect(await popping).toEqual(userItem('two'));
        expect(await patient.getItems()).toEqual([userItem('one')]);
      });
    });

    describe('popItem and clearSession', () => {
      it("behaves like the SDK's MemorySession under any sequence of adds, pops, reads and clears", async () => {
        const ours = new SessionsAgentSession({ sessions, ...newKey() });
        const reference = new MemorySession();
        let counter = 0;
        // A fixed pseudo-random sequence keeps the run bounded and repeatable on slow stores.
        let seed = 7;
        const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
        for (let step = 0; step < 60; step++) {
          const roll = random();
          if (roll < 0.4) {
            const batch = Array.from({ length: 1 + Math.floor(random() * 3) }, () => userItem(`item ${counter++}`));
            await ours.addItems(batch);
            await reference.addItems(batch);
          } else if (roll < 0.75) {
            expect(await ours.popItem()).toEqual(await reference.popItem());
          } else if (roll < 0.95) {
            const limit = random() < 0.3 ? undefined : Math.floor(random() * 6);
            expect(await ours.getItems(limit)).toEqual(await reference.getItems(limit));
          } else {
            await ours.clearSession();
            await reference.clearSession();
          }
        }
        expect(await ours.getItems()).toEqual(await reference.getItems());
      });

      it('pops by deleting the item, writing no tombstone, and never reuses its seq', async () => {
        const session = new SessionsAgentSession({ sessions, ...newKey() });
        await session.addItems([userItem('one'), userItem('two'), userItem('three')]);
        expect(await session.popItem()).toEqual(userItem('three'));
        expect(await session.popItem()).toEqual(userItem('two'));
        const stored = await sessions.messages(session.key);
        expect(stored.map((m) => m.seq)).toEqual([1]);
        expect(stored.some((m) => (m.metadata[METADATA_KEY] as { pop?: boolean }).pop)).toBe(false);
        expect(await sessions.get(session.key)).toMatchObject({ messageCount: 1, lastSeq: 3 });
        await session.addItems([userItem('four')]);
        expect((await sessions.messages(session.key)).map((m) => m.seq)).toEqual([1, 4]);
        expect(await session.getItems()).toEqual([userItem('one'), userItem('four')]);
      });

      it('reads, and pops from, a store that earlier versions wrote tombstones into', async () => {
        const key = newKey();
        const item = (text: string, id: string) => ({ ...itemToMessage(userItem(text)), id });
        // a, b, a pop that cancelled b (with its hint), c, d, a pop without a hint that cancelled d.
        await sessions.create({
          ...key,
          messages: [
            item('a', 'm_a'),
            item('b', 'm_b'),
            legacyTombstone({ deadFrom: 2, prevId: 'm_b' }),
            item('c', 'm_c'),
            item('d', 'm_d'),
            legacyTombstone(),
          ],
        });
        const session = new SessionsAgentSession({ sessions, ...key });
        expect(await session.getItems()).toEqual([userItem('a'), userItem('c')]);
        expect(await session.getItems(1)).toEqual([userItem('c')]);

        expect(await session.popItem()).toEqual(userItem('c'));
        // c went with the dead d and the tombstone after it; the older tombstone still cancels b.
        expect((await sessions.messages(key)).map((m) => m.id)).toEqual(['m_a', 'm_b', expect.any(String)]);
        expect(await session.getItems()).toEqual([userItem('a')]);
        await session.addItems([userItem('e')]);
        expect(await session.getItems()).toEqual([userItem('a'), userItem('e')]);
        expect(await session.popItem()).toEqual(userItem('e'));
        expect(await session.popItem()).toEqual(userItem('a'));
        expect(await session.popItem()).toBeUndefined();
        expect(await session.getItems()).toEqual([]);
      });

      it('clears every item and keeps the session and its id', async () => {
        const session = new SessionsAgentSession({ sessions, ...newKey() });
        await session.addItems([userItem('one'), userItem('two')]);
        await session.clearSession();
        expect(await session.getItems()).toEqual([]);
        expect(await sessions.get(session.key)).toMatchObject({ messageCount: 0 });
        await session.addItems([userItem('three')]);
        expect(await session.getItems()).toEqual([userItem('three')]);
        await new SessionsAgentSession({ sessions, ...newKey() }).clearSession();
      });

      it('reads the newest items of a long history without reading all of it', async () => {
        const key = newKey();
        const session = new SessionsAgentSession({ sessions, ...key });
        for (let batch = 0; batch < 5; batch++) {
          await session.addItems(Array.from({ length: 200 }, (_, i) => userItem(`m${batch * 200 + i}`)));
        }
        await session.popItem();
        const reads: unknown[] = [];
        const counting = new Proxy(sessions, {
          get(target, property) {
            if (property === 'messages') return (k: SessionKey, query: unknown) => (reads.push(query), target.messages(k, query as never));
            const value: unknown = Reflect.get(target, property);
            return typeof value === 'function' ? value.bind(target) : value;
          },
        });
        const items = await new SessionsAgentSession({ sessions: counting, ...key }).getItems(3);
        expect(items).toEqual([userItem('m996'), userItem('m997'), userItem('m998')]);
        expect(reads).toEqual([{ last: 7 }]);
      });
    });
  });
}
