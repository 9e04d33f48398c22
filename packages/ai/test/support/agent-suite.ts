import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { LockExpiredError, LockHeldError, SessionManager, type Engine, type Message } from '@sessions/core';
import { stepCountIs, tool } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createAgent, toModelMessages } from '../../src/index.js';
import type { Backend, BackendHandle } from './backends.js';
import { delay, promptTexts, rememberingModel, scriptedModel, type Prompt } from './scripted-model.js';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./remember-child.mjs', import.meta.url));

/** One agent turn in a new Node process on the store at `url`. */
async function turnInChild(
  url: string,
  userId: string,
  sessionId: string | undefined,
  input: string,
): Promise<{ text: string; sessionId: string; prompt: string[] }> {
  const { stdout } = await run(process.execPath, [CHILD, url, userId, sessionId ?? '-', input], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    timeout: 60_000,
  });
  return JSON.parse(stdout) as { text: string; sessionId: string; prompt: string[] };
}

const user = () => `user_${Math.random().toString(36).slice(2, 10)}`;

/** What a stored message says, without what differs between runs (ids, times, run ids). */
function shape(message: Message) {
  return {
    seq: message.seq,
    role: message.role,
    content: message.content,
    toolCalls: message.toolCalls,
    toolCallId: message.toolCallId,
    name: message.name,
    metadata: message.metadata,
  };
}

const weatherTool = tool({
  description: 'The weather in a city',
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => ({ city, forecast: 'sunny', celsius: 21 }),
});

/** A model that asks for the weather once, then answers from the tool result. */
function weatherModel(options: { delayMs?: number } = {}) {
  return scriptedModel((prompt) => {
    const last = prompt.at(-1)!;
    if (last.role === 'tool') return { text: `It is ${JSON.stringify(promptTexts([last]))}` };
    return {
      text: 'Let me check.',
      toolCalls: [{ toolCallId: `call_${Math.random().toString(36).slice(2, 8)}`, toolName: 'weather', input: { city: 'Paris' } }],
    };
  }, options);
}

/**
 * The agent behaviours every backend must show, run against `backend`. Each test gets a fresh,
 * isolated store and random user ids.
 */
export function describeAgentSuite(backend: Backend): void {
  describe(`agent on ${backend.name}`, () => {
    let store: BackendHandle;
    let engine: Engine;
    let sessions: SessionManager;

    beforeEach(async () => {
      store = await backend.open();
      engine = store.engine;
      sessions = new SessionManager({ engine });
    });

    afterEach(async () => {
      await store.dispose();
    });

    it('remembers the first turn in a later turn through a new manager and agent on the same store', async () => {
      const userId = user();
      const first = await createAgent({ model: rememberingModel(), sessions }).run({ userId }, 'My name is Alice');
      expect(first.text).toBe('Nice to meet you, Alice.');

      const reopened = await store.reopen();
      const model = rememberingModel();
      const later = createAgent({ model, sessions: new SessionManager({ engine: reopened }) });
      const second = await later.run({ userId, sessionId: first.sessionId }, "What's my name?");

      expect(second.text).toBe('Your name is Alice.');
      expect(promptTexts(model.doGenerateCalls[0]!.prompt)).toEqual(['My name is Alice', 'Nice to meet you, Alice.', "What's my name?"]);
    });

    if (backend.persistent) {
      it('remembers the first turn in a fresh process on the same store', async () => {
        const userId = user();
        const first = await turnInChild(store.url!, userId, undefined, 'My name is Alice');
        expect(first.text).toBe('Nice to meet you, Alice.');
        const second = await turnInChild(store.url!, userId, first.sessionId, "What's my name?");
        expect(second.prompt).toEqual(['My name is Alice', 'Nice to meet you, Alice.', "What's my name?"]);
        expect(second.text).toBe('Your name is Alice.');
      });
    }

    it('creates a session when none is named and returns its id, and creates a named one on first use', async () => {
      const userId = user();
      const agent = createAgent({ model: rememberingModel(), sessions });
      const fresh = await agent.run({ userId }, 'Hi');
      expect(fresh.sessionId).toMatch(/^sess_/);
      expect(await sessions.get({ userId, sessionId: fresh.sessionId })).not.toBeNull();

      const named = await agent.run({ userId, sessionId: 'chat_1' }, 'Hi');
      expect(named.sessionId).toBe('chat_1');
      expect((await sessions.messages({ userId, sessionId: 'chat_1' })).map((m) => m.role)).toEqual(['user', 'assistant']);
    });

    it('keeps two users with the same session id apart', async () => {
      const alice = user();
      const bob = user();
      const model = rememberingModel();
      const agent = createAgent({ model, sessions });
      await agent.run({ userId: alice, sessionId: 'shared' }, 'My name is Alice');
      await agent.run({ userId: bob, sessionId: 'shared' }, 'My name is Bob');

      expect((await agent.run({ userId: alice, sessionId: 'shared' }, "What's my name?")).text).toBe('Your name is Alice.');
      expect((await agent.run({ userId: bob, sessionId: 'shared' }, "What's my name?")).text).toBe('Your name is Bob.');
      const aliceTexts = (await sessions.messages({ userId: alice, sessionId: 'shared' })).map((m) => m.content);
      expect(aliceTexts.join(' ')).not.toContain('Bob');
    });

    it('leaves history unchanged when the model call fails', async () => {
      const userId = user();
      const good = createAgent({ model: rememberingModel(), sessions });
      const { sessionId } = await good.run({ userId }, 'My name is Alice');
      const before = (await sessions.messages({ userId, sessionId })).map(shape);

      const failing = createAgent({
        model: scriptedModel(() => {
          throw new Error('provider is down');
        }),
        sessions,
        settings: { maxRetries: 0 },
      });
      await expect(failing.run({ userId, sessionId }, 'Are you there?')).rejects.toThrow('provider is down');

      expect((await sessions.messages({ userId, sessionId })).map(shape)).toEqual(before);
      expect((await sessions.get({ userId, sessionId }))!.lastSeq).toBe(2);
    });

    it('leaves no session behind when the first turn of a new session fails', async () => {
      const userId = user();
      const failing = createAgent({
        model: scriptedModel(() => {
          throw new Error('provider is down');
        }),
        sessions,
        settings: { maxRetries: 0 },
      });
      await expect(failing.run({ userId }, 'Hello?')).rejects.toThrow('provider is down');
      expect((await sessions.list({ userId })).sessions).toEqual([]);
    });

    it('keeps only the user message of a failed turn when asked to', async () => {
      const userId = user();
      const failing = createAgent({
        model: scriptedModel(() => {
          throw new Error('provider is down');
        }),
        sessions,
        settings: { maxRetries: 0 },
        keepUserMessageOnError: true,
      });
      await expect(failing.run({ userId, sessionId: 's' }, 'Hello?')).rejects.toThrow('provider is down');
      expect((await sessions.messages({ userId, sessionId: 's' })).map((m) => [m.role, m.content])).toEqual([['user', 'Hello?']]);
    });

    for (const mode of ['run', 'stream'] as const) {
      for (const keepUserMessageOnError of [false, true]) {
        it(`takes back a ${mode} tool turn whose second model call fails${keepUserMessageOnError ? ', keeping only the user message when asked to' : ', leaving history as it was'}`, async () => {
          const userId = user();
          const key = { userId, sessionId: `second-fails-${mode}` };
          await createAgent({ model: rememberingModel(), sessions }).run(key, 'My name is Alice');
          const before = await sessions.messages(key);
          const stepsStored: number[] = [];
          const model = scriptedModel(
            (_prompt, call) => {
              if (call === 0) return { text: 'Checking.', toolCalls: [{ toolCallId: 'call_1', toolName: 'weather', input: { city: 'Paris' } }] };
              throw new Error('provider is down');
            },
            {
              beforeReply: async (_prompt, call) => {
                if (call === 1) stepsStored.push((await sessions.messages(key)).length);
              },
            },
          );
          const agent = createAgent({ model, sessions, tools: { weather: weatherTool }, settings: { maxRetries: 0 }, keepUserMessageOnError });

          if (mode === 'run') await expect(agent.run(key, 'Weather?')).rejects.toThrow('provider is down');
          else {
            const stream = agent.stream(key, 'Weather?');
            const saved: Message[] = [];
            await expect(
              (async () => {
                for await (const event of stream) if (event.type === 'saved') saved.push(...event.messages);
              })(),
            ).rejects.toThrow('provider is down');
            await expect(stream.result).rejects.toThrow('provider is down');
            expect(saved.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
          }

          // The first step was stored as it completed, then taken back when the turn failed.
          expect(stepsStored).toEqual([before.length + 3]);
          const after = await sessions.messages(key);
          expect(after.slice(0, before.length)).toEqual(before);
          expect(after.slice(before.length).map((m) => [m.role, m.content])).toEqual(keepUserMessageOnError ? [['user', 'Weather?']] : []);
          // The next turn sees exactly that history, and seq values are never reused.
          const next = rememberingModel();
          const again = await createAgent({ model: next, sessions }).run(key, "What's my name?");
          expect(again.text).toBe('Your name is Alice.');
          expect(promptTexts(next.doGenerateCalls[0]!.prompt)).toEqual([
            'My name is Alice',
            'Nice to meet you, Alice.',
            ...(keepUserMessageOnError ? ['Weather?'] : []),
            "What's my name?",
          ]);
          expect(again.messages[0]!.seq).toBe(before.length + 4);
        });
      }
    }

    it('takes back a streamed tool turn the caller aborts after its first step was stored', async () => {
      const userId = user();
      const key = { userId, sessionId: 'abort-after-step' };
      await createAgent({ model: rememberingModel(), sessions }).run(key, 'My name is Alice');
      const before = await sessions.messages(key);
      const model = scriptedModel(
        (prompt) =>
          prompt.at(-1)!.role === 'tool'
            ? { text: 'Sunny in Paris, it seems.' }
            : { text: 'Checking.', toolCalls: [{ toolCallId: 'call_1', toolName: 'weather', input: { city: 'Paris' } }] },
        { delayMs: (call) => (call === 1 ? 5_000 : 0) },
      );
      const stream = createAgent({ model, sessions, tools: { weather: weatherTool } }).stream(key, 'Weather?');
      for await (const event of stream) {
        if (event.type === 'saved') {
          stream.abort(new Error('user left'));
          break;
        }
      }
      await expect(stream.result).rejects.toThrow('user left');
      expect(await sessions.messages(key)).toEqual(before);
      // The lease was released: the next turn goes through at once.
      await expect(createAgent({ model: rememberingModel(), sessions }).run(key, "What's my name?")).resolves.toMatchObject({ text: 'Your name is Alice.' });
    });

    it('never interleaves two concurrent turns on one session', async () => {
      const userId = user();
      const agent = createAgent({
        model: scriptedModel((prompt) => ({ text: `answer to ${promptTexts([prompt.at(-1)!])[0]}` }), { delayMs: 30 }),
        sessions,
        waitMs: 10_000,
      });
      const key = { userId, sessionId: 'busy' };
      await Promise.all(['a', 'b', 'c', 'd'].map((question) => agent.run(key, question)));

      const stored = await sessions.messages(key);
      expect(stored).toHaveLength(8);
      for (let i = 0; i < stored.length; i += 2) {
        expect(stored[i]!.role).toBe('user');
        expect(stored[i + 1]!.content).toEqual([{ type: 'text', text: `answer to ${stored[i]!.content as string}` }]);
        expect(stored[i + 1]!.runId).toBe(stored[i]!.runId);
      }
    });

    it('refuses a turn on a busy session with LockHeldError unless told to wait', async () => {
      const userId = user();
      const key = { userId, sessionId: 'busy' };
      const agent = createAgent({ model: rememberingModel({ delayMs: 200 }), sessions });
      const slow = agent.run(key, 'first');
      await delay(50);
      await expect(agent.run(key, 'second')).rejects.toBeInstanceOf(LockHeldError);
      await slow;
      expect((await sessions.messages(key)).map((m) => m.role)).toEqual(['user', 'assistant']);
    });

    it('stores the same messages for a streamed and a non-streamed turn', async () => {
      const userId = user();
      const agent = createAgent({ model: weatherModel(), sessions, tools: { weather: weatherTool }, stopWhen: stepCountIs(5) });
      const generated = await agent.run({ userId, sessionId: 'gen' }, 'Weather in Paris?');
      const streamed = agent.stream({ userId, sessionId: 'str' }, 'Weather in Paris?');
      const text: string[] = [];
      for await (const delta of streamed.textStream) text.push(delta);
      const result = await streamed.result;

      expect(result.text).toBe(generated.text);
      expect(text.join('')).toBe('Let me check.' + generated.text);
      const normalise = (messages: Message[]) =>
        messages.map((m) => JSON.parse(JSON.stringify(shape(m)).replace(/call_\w+/g, 'call_x')) as ReturnType<typeof shape>);
      const a = normalise(await sessions.messages({ userId, sessionId: 'gen' }));
      const b = normalise(await sessions.messages({ userId, sessionId: 'str' }));
      expect(b).toEqual(a);
      expect(a.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
    });

    it('stores tool calls and results as they complete, and gives them back as the SDK made them', async () => {
      const userId = user();
      const seen: number[] = [];
      const key = { userId, sessionId: 'tools' };
      const model = scriptedModel(
        (prompt) =>
          prompt.at(-1)!.role === 'tool'
            ? { text: 'Sunny.' }
            : { text: 'Checking.', toolCalls: [{ toolCallId: 'call_1', toolName: 'weather', input: { city: 'Paris' } }] },
        {
          beforeReply: async (_prompt, call) => {
            if (call === 1) seen.push((await sessions.messages(key)).length);
          },
        },
      );
      const agent = createAgent({ model, sessions, tools: { weather: weatherTool } });
      const result = await agent.run(key, 'Weather?');

      expect(seen).toEqual([3]);
      const stored = await sessions.messages(key);
      expect(await toModelMessages(stored.slice(1))).toEqual(JSON.parse(JSON.stringify(result.responseMessages)));
      expect(stored[1]!.toolCalls).toEqual([{ toolCallId: 'call_1', toolName: 'weather', input: { city: 'Paris' } }]);
      expect(stored[2]).toMatchObject({ role: 'tool', toolCallId: 'call_1', name: 'weather' });

      const next = rememberingModel();
      await createAgent({ model: next, sessions, tools: { weather: weatherTool } }).run(key, 'Thanks');
      const prompt = next.doGenerateCalls[0]!.prompt;
      expect(prompt.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'user']);
      expect(JSON.stringify(prompt[2])).toContain('"forecast":"sunny"');
    });

    it('forks a session and leaves the original unchanged', async () => {
      const userId = user();
      const agent = createAgent({ model: rememberingModel(), sessions });
      const chat = await agent.session({ userId });
      await chat.run('My name is Alice');
      const before = (await sessions.messages(chat.key)).map(shape);

      const fork = await chat.fork({ sessionId: 'fork_1' });
      await fork.run('My name is Zoe');
      expect((await fork.run("What's my name?")).text).toBe('Your name is Zoe.');

      expect((await sessions.messages(chat.key)).map(shape)).toEqual(before);
      expect((await chat.run("What's my name?")).text).toBe('Your name is Alice.');
      expect((await sessions.get(fork.key))!.parentSessionId).toBe(chat.sessionId);
    });

    it('never sends a tool call without its result when the window cuts into a tool turn', async () => {
      const userId = user();
      const expected: Record<number, string[]> = {
        // Stored: user, assistant(tool call), tool(result), assistant. Two messages would end inside the tool pair.
        1: ['assistant', 'user'],
        2: ['assistant', 'user'],
        3: ['assistant', 'tool', 'assistant', 'user'],
        4: ['user', 'assistant', 'tool', 'assistant', 'user'],
      };
      for (const maxMessages of [1, 2, 3, 4]) {
        const key = { userId, sessionId: `window_${maxMessages}` };
        await createAgent({ model: weatherModel(), sessions, tools: { weather: weatherTool } }).run(key, 'Weather?');
        const model = rememberingModel();
        await createAgent({ model, sessions, tools: { weather: weatherTool }, historyWindow: { maxMessages } }).run(key, 'Thanks');
        const prompt = model.doGenerateCalls[0]!.prompt;
        expect(prompt.map((m) => m.role)).toEqual(expected[maxMessages]);
        const calls = prompt.flatMap((m) =>
          m.role === 'assistant' ? m.content.filter((p) => p.type === 'tool-call').map((p) => (p as { toolCallId: string }).toolCallId) : [],
        );
        const results = prompt.flatMap((m) => (m.role === 'tool' ? m.content.map((p) => (p as { toolCallId: string }).toolCallId) : []));
        expect(results).toEqual(calls);
      }
    });

    it('aborts the model call and raises LockExpiredError when the lease is lost, storing nothing', async () => {
      const userId = user();
      const key = { userId, sessionId: 'lost' };
      const flaky = new SessionManager({ engine: refusingRenewals(engine), lockTtlMs: 300, heartbeatMs: 100 });
      let aborted = false;
      const model = new MockLanguageModelV3({
        doGenerate: async (call) => {
          // A model call that only ends when it is aborted.
          await delay(60_000, call.abortSignal).catch((error: unknown) => {
            aborted = true;
            throw error;
          });
          throw new Error('the call was not aborted');
        },
      });
      const agent = createAgent({ model, sessions: flaky, settings: { maxRetries: 0 } });
      await expect(agent.run(key, 'Hello')).rejects.toBeInstanceOf(LockExpiredError);
      expect(aborted).toBe(true);
      expect(await sessions.messages(key)).toEqual([]);
    });

    it('fails with the caller’s reason and stores nothing when the caller aborts', async () => {
      const userId = user();
      const key = { userId, sessionId: 'abort' };
      const agent = createAgent({ model: rememberingModel({ delayMs: 5_000 }), sessions });
      const controller = new AbortController();
      const turn = agent.run(key, 'Hello', { signal: controller.signal });
      setTimeout(() => controller.abort(new Error('user left')), 50);
      await expect(turn).rejects.toThrow('user left');
      expect(await sessions.messages(key)).toEqual([]);
      // The lease was released: the next turn goes through at once.
      await expect(createAgent({ model: rememberingModel(), sessions }).run(key, 'Hi')).resolves.toMatchObject({ text: "I don't know your name." });
    });

    it('stops a stream the caller aborts, storing nothing of the unfinished turn', async () => {
      const userId = user();
      const key = { userId, sessionId: 'abort-stream' };
      const agent = createAgent({ model: scriptedModel(() => ({ text: 'one two three four five six' }), { delayMs: 5_000 }), sessions });
      const stream = agent.stream(key, 'Count');
      expect(await stream.sessionId).toBe('abort-stream');
      stream.abort(new Error('stop'));
      await expect(stream.result).rejects.toThrow('stop');
      expect(await sessions.messages(key)).toEqual([]);
    });

    it('answers json() with a validated object and stores the turn like any other', async () => {
      const userId = user();
      const key = { userId, sessionId: 'json' };
      const agent = createAgent({ model: scriptedModel(() => ({ text: '{"name":"Alice","age":30}' })), sessions });
      const zodResult = await agent.json(key, 'Who?', { schema: z.object({ name: z.string(), age: z.number() }) });
      expect(zodResult.object).toEqual({ name: 'Alice', age: 30 });
      const jsonResult = await agent.json<{ name: string }>(key, 'Who again?', {
        schema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
      });
      expect(jsonResult.object.name).toBe('Alice');
      expect((await sessions.messages(key)).map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    });

    it('rejects a json() answer that does not match the schema and stores nothing of that turn', async () => {
      const userId = user();
      const key = { userId, sessionId: 'json-bad' };
      const agent = createAgent({ model: scriptedModel(() => ({ text: '{"name":42}' })), sessions });
      await expect(agent.json(key, 'Who?', { schema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } })).rejects.toThrow(
        /did not match schema/,
      );
      await expect(agent.json(key, 'Who?', { schema: z.object({ name: z.string() }) })).rejects.toThrow(/did not match schema/);
      expect(await sessions.messages(key)).toEqual([]);
    });

    it('records a compaction summary in the session and sends it in place of the messages it covers', async () => {
      const userId = user();
      const key = { userId, sessionId: 'compact' };
      const calls: { summary: string | null; texts: string[] }[] = [];
      const model = rememberingModel();
      const agent = createAgent({
        model,
        sessions,
        historyWindow: { maxMessages: 2 },
        compact: ({ summary, messages }) => {
          calls.push({ summary, texts: promptTexts(messages as unknown as Prompt) });
          return `summary ${calls.length}: ${[summary, ...promptTexts(messages as unknown as Prompt)].filter(Boolean).join(' | ')}`;
        },
      });
      await agent.run(key, 'My name is Alice');
      await agent.run(key, 'I like tea');
      const third = await agent.run(key, "What's my name?");

      expect(calls).toEqual([{ summary: null, texts: ['My name is Alice', 'Nice to meet you, Alice.'] }]);
      const prompt = model.doGenerateCalls[2]!.prompt;
      expect(prompt[0]).toEqual({ role: 'system', content: 'summary 1: My name is Alice | Nice to meet you, Alice.' });
      expect(prompt.slice(1).map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
      expect(third.text).toBe("I don't know your name.");

      const stored = await sessions.messages(key);
      expect(stored.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'system', 'user', 'assistant']);
      expect(stored[4]!.metadata).toEqual({ compaction: { upToSeq: 2 } });
    });

    it('gives a session handle a copy of its messages, and round-trips it through toJSON', async () => {
      const userId = user();
      const agent = createAgent({ model: rememberingModel(), sessions });
      const chat = await agent.session({ userId, system: 'Be brief.' });
      await chat.run('My name is Alice');
      await chat.addMessage({ role: 'system', content: 'The user is in Paris.' });
      const copy = chat.messages;
      copy[0]!.content = 'tampered';
      expect(chat.messages.map((m) => m.content)).toEqual(['My name is Alice', [{ type: 'text', text: 'Nice to meet you, Alice.' }], 'The user is in Paris.']);

      const restored = await (await import('../../src/index.js')).AgentSession.fromJSON(JSON.stringify(chat), { agent });
      expect(restored.system).toBe('Be brief.');
      expect(restored.messages.map(shape)).toEqual(chat.messages.map(shape));

      expect(await chat.clear()).toBe(3);
      expect(chat.messages).toEqual([]);
      expect(await sessions.messages(chat.key)).toEqual([]);
    });
  });
}

/** The engine, except that every lease renewal is refused (as after a takeover). */
function refusingRenewals(engine: Engine): Engine {
  return new Proxy(engine, {
    get(target, property, receiver) {
      if (property === 'renewLease') return async () => null;
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
