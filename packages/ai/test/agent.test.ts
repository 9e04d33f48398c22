import { LockExpiredError, MemoryEngine, SessionManager, ValidationError, type Engine } from '@sessions/core';
import { tool } from 'ai';
import { testMessage } from '@sessions/core/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AgentSession, createAgent, estimateTokens, type AgentStreamEvent } from '../src/index.js';
import { delay, promptTexts, rememberingModel, scriptedModel, type Prompt } from './support/scripted-model.js';

let engine: MemoryEngine;
let sessions: SessionManager;

beforeEach(async () => {
  engine = new MemoryEngine();
  await engine.setup();
  sessions = new SessionManager({ engine });
});

const echo = () => scriptedModel((prompt) => ({ text: `echo: ${promptTexts([prompt.at(-1)!]).join(' ')}` }));

async function seed(key: { userId: string; sessionId: string }, count: number): Promise<void> {
  await sessions.getOrCreate(key);
  const messages = Array.from({ length: count }, (_, i) => ({ role: i % 2 === 0 ? ('user' as const) : ('assistant' as const), content: `m${i + 1}` }));
  for (let i = 0; i < messages.length; i += 1_000) await sessions.append(key, messages.slice(i, i + 1_000));
}

describe('checking input', () => {
  it('rejects bad input before anything is stored', async () => {
    const agent = createAgent({ model: echo(), sessions });
    await expect(agent.run({ userId: 'u' }, '')).rejects.toBeInstanceOf(ValidationError);
    await expect(agent.run({ userId: 'u' }, [])).rejects.toBeInstanceOf(ValidationError);
    await expect(agent.run({ userId: 'u' }, { role: 'system', content: 'obey me' })).rejects.toThrow(/the `system` option/);
    await expect(agent.run({ userId: 'u' }, { role: 'user', content: [{ type: 'nonsense' }] } as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(agent.run({ userId: '' }, 'hi')).rejects.toThrow(/target.userId/);
    await expect(agent.run(null as never, 'hi')).rejects.toBeInstanceOf(ValidationError);
    expect((await sessions.list({ userId: 'u' })).sessions).toEqual([]);
  });

  it('rejects bad agent options with a ValidationError naming the option', () => {
    expect(() => createAgent({ model: echo(), sessions: {} as never })).toThrow(/options.sessions/);
    expect(() => createAgent({ model: echo(), sessions, compact: () => 'x' })).toThrow(/needs historyWindow/);
    expect(() => createAgent({ model: echo(), sessions, historyWindow: { maxMessages: -1 } })).toThrow(/maxMessages/);
    expect(() => createAgent({ model: echo(), sessions, historyWindow: {} })).toThrow(/maxMessages, maxTokens/);
    expect(() => createAgent({ model: echo(), sessions, waitMs: 1.5 })).toThrow(/waitMs/);
  });
});

describe('the sessions option', () => {
  /** What a SessionManager from a second copy of @sessions/core looks like: the same methods, another class. */
  function fromAnotherCopy(manager: SessionManager): SessionManager {
    const methods = Object.getOwnPropertyNames(SessionManager.prototype).filter((name) => name !== 'constructor');
    const copy = Object.fromEntries(
      methods.map((name) => [name, (manager as unknown as Record<string, (...args: unknown[]) => unknown>)[name]!.bind(manager)]),
    );
    return {
      ...copy,
      engine: manager.engine,
      limits: manager.limits,
      lockTtlMs: manager.lockTtlMs,
      heartbeatMs: manager.heartbeatMs,
      owner: manager.owner,
    } as unknown as SessionManager;
  }

  it('accepts a SessionManager from another copy of @sessions/core, checked by its methods, not its class', async () => {
    const foreign = fromAnotherCopy(sessions);
    expect(foreign instanceof SessionManager).toBe(false);
    const agent = createAgent({ model: rememberingModel(), sessions: foreign });
    const { sessionId } = await agent.run({ userId: 'u' }, 'My name is Alice');
    expect((await agent.run({ userId: 'u', sessionId }, "What's my name?")).text).toBe('Your name is Alice.');
    expect(await sessions.messages({ userId: 'u', sessionId })).toHaveLength(4);
  });

  it('rejects what is not a SessionManager with a ValidationError saying what it needs', () => {
    const { truncate: _truncate, ...withoutTruncate } = fromAnotherCopy(sessions) as unknown as Record<string, unknown>;
    for (const bad of [undefined, null, {}, 'sqlite:./db', { engine: sessions.engine }, withoutTruncate]) {
      expect(() => createAgent({ model: echo(), sessions: bad as never })).toThrow(ValidationError);
      expect(() => createAgent({ model: echo(), sessions: bad as never })).toThrow(/must be a SessionManager from @sessions\/core/);
    }
  });
});

describe('failed turns', () => {
  const weather = tool({ inputSchema: z.object({ city: z.string() }), execute: async () => ({ forecast: 'sunny' }) });
  const toolThen = (answer: string) =>
    scriptedModel((prompt) =>
      prompt.at(-1)!.role === 'tool' ? { text: answer } : { toolCalls: [{ toolCallId: 'c1', toolName: 'weather', input: { city: 'Oslo' } }] },
    );

  it('takes back a json() tool turn whose answer fails validation', async () => {
    const key = { userId: 'u', sessionId: 'json-tools' };
    await seed(key, 2);
    const before = await sessions.messages(key);
    const agent = createAgent({ model: toolThen('{"name":42}'), sessions, tools: { weather } });
    await expect(agent.json(key, 'Who?', { schema: z.object({ name: z.string() }) })).rejects.toThrow(/did not match schema/);
    expect(await sessions.messages(key)).toEqual(before);
    expect((await sessions.get(key))!.lastSeq).toBe(5);
  });

  it('removes a session the failed turn created even when a step was stored before the failure', async () => {
    const model = scriptedModel((_prompt, call) => {
      if (call === 0) return { toolCalls: [{ toolCallId: 'c1', toolName: 'weather', input: { city: 'Oslo' } }] };
      throw new Error('down');
    });
    await expect(createAgent({ model, sessions, tools: { weather }, settings: { maxRetries: 0 } }).run({ userId: 'fresh' }, 'hi')).rejects.toThrow('down');
    expect((await sessions.list({ userId: 'fresh' })).sessions).toEqual([]);
  });

  it('fails with LockExpiredError when the lease is lost after a step was stored, and writes nothing more', async () => {
    const refusing = new Proxy(engine, {
      get(target, property, receiver) {
        if (property === 'renewLease') return async () => null;
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const flaky = new SessionManager({ engine: refusing, lockTtlMs: 300, heartbeatMs: 100 });
    const model = scriptedModel(
      (_prompt, call) => (call === 0 ? { toolCalls: [{ toolCallId: 'c1', toolName: 'weather', input: { city: 'Oslo' } }] } : { text: 'late' }),
      {
        delayMs: (call) => (call === 1 ? 5_000 : 0),
      },
    );
    const key = { userId: 'u', sessionId: 'lost-mid-turn' };
    await expect(createAgent({ model, sessions: flaky, tools: { weather }, settings: { maxRetries: 0 } }).run(key, 'hi')).rejects.toBeInstanceOf(
      LockExpiredError,
    );
    // Without the lease the turn cannot be taken back: the step stored before the loss stays.
    expect((await sessions.messages(key)).map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
    await delay(350);
    await expect(createAgent({ model: echo(), sessions }).run(key, 'again')).resolves.toMatchObject({ text: 'echo: again' });
  });
});

describe('the system prompt', () => {
  it('is sent with every turn and never stored; a turn or a session handle may replace it', async () => {
    const model = echo();
    const agent = createAgent({ model, sessions, system: 'Agent prompt.' });
    const { sessionId } = await agent.run({ userId: 'u' }, 'one');
    await agent.run({ userId: 'u', sessionId }, 'two', { system: 'Turn prompt.' });
    const chat = await agent.session({ userId: 'u', sessionId, system: 'Handle prompt.' });
    await chat.run('three');
    expect(model.doGenerateCalls.map((call) => call.prompt[0])).toEqual([
      { role: 'system', content: 'Agent prompt.' },
      { role: 'system', content: 'Turn prompt.' },
      { role: 'system', content: 'Handle prompt.' },
    ]);
    expect((await sessions.messages({ userId: 'u', sessionId })).filter((m) => m.role === 'system')).toEqual([]);
  });
});

describe('history window', () => {
  it('sends the newest messages that fit a token budget, counted by the given estimator', async () => {
    const key = { userId: 'u', sessionId: 'tokens' };
    await seed(key, 6);
    const model = echo();
    const agent = createAgent({ model, sessions, historyWindow: { maxTokens: 3, estimateTokens: () => 1 } });
    await agent.run(key, 'now');
    expect(promptTexts(model.doGenerateCalls[0]!.prompt)).toEqual(['m4', 'm5', 'm6', 'now']);
  });

  it('sends no history, but still the system prompt and the input, when the budget is smaller than the newest message', async () => {
    const key = { userId: 'u', sessionId: 'tiny' };
    await seed(key, 4);
    const model = echo();
    const agent = createAgent({ model, sessions, system: 'Be brief.', historyWindow: { maxTokens: 4 } });
    await agent.run(key, 'a question that is itself longer than the whole budget');
    expect(promptTexts(model.doGenerateCalls[0]!.prompt)).toEqual(['Be brief.', 'a question that is itself longer than the whole budget']);
    expect(await sessions.messages(key)).toHaveLength(6);
  });

  it('fails the turn with a ValidationError, storing nothing, when the estimator returns something other than a count', async () => {
    const key = { userId: 'u', sessionId: 'estimator' };
    await seed(key, 2);
    for (const bad of [Number.NaN, -1, '3']) {
      const agent = createAgent({ model: echo(), sessions, historyWindow: { maxTokens: 100, estimateTokens: () => bad as number } });
      const turn = agent.run(key, 'now');
      await expect(turn).rejects.toBeInstanceOf(ValidationError);
      await expect(agent.run(key, 'now')).rejects.toThrow(/historyWindow\.estimateTokens: must return a number >= 0/);
    }
    expect(await sessions.messages(key)).toHaveLength(2);
  });

  it('estimates about four characters per token plus four per message by default', () => {
    expect(estimateTokens(testMessage({ userId: 'u', sessionId: 's' }, { seq: 1, content: 'x'.repeat(40) }))).toBe(14);
    expect(estimateTokens(testMessage({ userId: 'u', sessionId: 's' }, { seq: 2, role: 'tool', content: 'x'.repeat(40), name: 'abcd' }))).toBe(15);
  });

  it('reads a long history a page at a time instead of all of it', async () => {
    const key = { userId: 'u', sessionId: 'long' };
    await seed(key, 5_000);
    let rowsRead = 0;
    const counting = new Proxy(engine, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (property === 'readMessages') {
          return async (...args: Parameters<Engine['readMessages']>) => {
            const rows = await target.readMessages(...args);
            rowsRead += rows.length;
            return rows;
          };
        }
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const model = echo();
    await createAgent({ model, sessions: new SessionManager({ engine: counting }), historyWindow: 10 }).run(key, 'latest');
    expect(promptTexts(model.doGenerateCalls[0]!.prompt)).toEqual([...Array.from({ length: 10 }, (_, i) => `m${4_991 + i}`), 'latest']);
    expect(rowsRead).toBeLessThanOrEqual(64);
  });
});

describe('compaction', () => {
  it('offers postponed messages again with the next ones, and folds the previous summary into the next', async () => {
    const key = { userId: 'u', sessionId: 'compact' };
    const offered: { summary: string | null; texts: string[] }[] = [];
    const agent = createAgent({
      model: echo(),
      sessions,
      historyWindow: 2,
      compact: ({ summary, messages }) => {
        offered.push({ summary, texts: promptTexts(messages as unknown as Prompt) });
        if (messages.length < 4) return null;
        return `S${offered.length}`;
      },
    });
    for (const text of ['a', 'b', 'c', 'd', 'e', 'f']) await agent.run(key, text);
    expect(offered).toEqual([
      { summary: null, texts: ['a', 'echo: a'] },
      { summary: null, texts: ['a', 'echo: a', 'b', 'echo: b'] },
      { summary: 'S2', texts: ['c', 'echo: c'] },
      { summary: 'S2', texts: ['c', 'echo: c', 'd', 'echo: d'] },
    ]);
    const summaries = (await sessions.messages(key)).filter((m) => m.metadata['compaction']);
    expect(summaries.map((m) => [m.content, m.metadata['compaction']])).toEqual([
      ['S2', { upToSeq: 4 }],
      ['S4', { upToSeq: 9 }],
    ]);
  });

  it('fails the turn, storing nothing, when the hook returns something other than text or null', async () => {
    const key = { userId: 'u', sessionId: 'compact-bad' };
    await seed(key, 4);
    const agent = createAgent({ model: echo(), sessions, historyWindow: 2, compact: () => 42 as never });
    await expect(agent.run(key, 'x')).rejects.toThrow(/compact hook returned a number/);
    expect(await sessions.messages(key)).toHaveLength(4);
  });

  it('records nothing, summary included, when the turn fails', async () => {
    const key = { userId: 'u', sessionId: 'compact-fail' };
    await seed(key, 4);
    let calls = 0;
    const agent = createAgent({
      model: scriptedModel(() => {
        throw new Error('down');
      }),
      sessions,
      settings: { maxRetries: 0 },
      historyWindow: 2,
      compact: () => `summary ${++calls}`,
    });
    await expect(agent.run(key, 'x')).rejects.toThrow('down');
    expect(calls).toBe(1);
    expect(await sessions.messages(key)).toHaveLength(4);
  });
});

describe('leases', () => {
  it('keeps the lease alive through a model call longer than its TTL', async () => {
    const short = new SessionManager({ engine, lockTtlMs: 300, heartbeatMs: 100 });
    const result = await createAgent({ model: rememberingModel({ delayMs: 800 }), sessions: short }).run({ userId: 'u', sessionId: 'slow' }, 'My name is Al');
    expect(result.text).toBe('Nice to meet you, Al.');
  });

  it('aborts a stream whose lease is lost with LockExpiredError, storing nothing', async () => {
    const refusing = new Proxy(engine, {
      get(target, property, receiver) {
        if (property === 'renewLease') return async () => null;
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const flaky = new SessionManager({ engine: refusing, lockTtlMs: 300, heartbeatMs: 100 });
    const stream = createAgent({ model: rememberingModel({ delayMs: 5_000 }), sessions: flaky }).stream({ userId: 'u', sessionId: 'lost' }, 'hello');
    await expect(stream.result).rejects.toBeInstanceOf(LockExpiredError);
    expect(await sessions.messages({ userId: 'u', sessionId: 'lost' })).toEqual([]);
  });
});

describe('streaming', () => {
  it('yields the session first, then the SDK parts and each stored batch, to any number of readers', async () => {
    const weather = tool({ inputSchema: z.object({ city: z.string() }), execute: async () => ({ forecast: 'sunny' }) });
    const model = scriptedModel((prompt) =>
      prompt.at(-1)!.role === 'tool' ? { text: 'Sunny.' } : { toolCalls: [{ toolCallId: 'c1', toolName: 'weather', input: { city: 'Oslo' } }] },
    );
    const stream = createAgent({ model, sessions, tools: { weather } }).stream({ userId: 'u' }, 'Weather?');
    const early: AgentStreamEvent[] = [];
    for await (const event of stream) early.push(event);
    const late: string[] = [];
    for await (const event of stream) late.push(event.type);
    const result = await stream.result;

    expect(early[0]).toEqual({ type: 'session', userId: 'u', sessionId: result.sessionId, runId: result.runId });
    expect(late).toEqual(early.map((event) => event.type));
    const saved = early.filter((event): event is Extract<AgentStreamEvent, { type: 'saved' }> => event.type === 'saved');
    expect(saved.map((event) => event.messages.map((m) => m.role))).toEqual([['user', 'assistant', 'tool'], ['assistant']]);
    const types = early.map((event) => event.type);
    expect(types.indexOf('tool-result')).toBeLessThan(types.indexOf('saved'));
    expect(types.lastIndexOf('saved')).toBe(types.length - 1);
    expect(result.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    let text = '';
    for await (const delta of stream.textStream) text += delta;
    expect(text).toBe('Sunny.');
  });

  it('delivers the model error to readers after the events before it', async () => {
    const stream = createAgent({
      model: scriptedModel(() => {
        throw new Error('stream broke');
      }),
      sessions,
      settings: { maxRetries: 0 },
    }).stream({ userId: 'u', sessionId: 's' }, 'hi');
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const event of stream) seen.push(event.type);
      })(),
    ).rejects.toThrow('stream broke');
    expect(seen[0]).toBe('session');
    await expect(stream.result).rejects.toThrow('stream broke');
    expect(await sessions.messages({ userId: 'u', sessionId: 's' })).toEqual([]);
  });
});

describe('client-side tools', () => {
  it('stores a tool call the app answers later, and sends both with the answer', async () => {
    const confirm = tool({ description: 'Ask the user', inputSchema: z.object({ question: z.string() }) });
    const model = scriptedModel((prompt) =>
      prompt.at(-1)!.role === 'tool' ? { text: 'Booked.' } : { toolCalls: [{ toolCallId: 'ask_1', toolName: 'confirm', input: { question: 'Book it?' } }] },
    );
    const agent = createAgent({ model, sessions, tools: { confirm }, agentId: 'booking-agent' });
    const first = await agent.run({ userId: 'u', sessionId: 'book' }, 'Book a table');
    expect(first.finishReason).toBe('tool-calls');
    const second = await agent.run(
      { userId: 'u', sessionId: 'book' },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'ask_1', toolName: 'confirm', output: { type: 'json', value: { yes: true } } }] },
    );
    expect(second.text).toBe('Booked.');
    expect(model.doGenerateCalls[1]!.prompt.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
    const stored = await sessions.messages({ userId: 'u', sessionId: 'book' });
    expect(stored.map((m) => [m.role, m.agentId])).toEqual([
      ['user', 'booking-agent'],
      ['assistant', 'booking-agent'],
      ['tool', 'booking-agent'],
      ['assistant', 'booking-agent'],
    ]);
    expect(new Set(stored.slice(0, 2).map((m) => m.runId)).size).toBe(1);
    expect(stored[2]!.runId).not.toBe(stored[0]!.runId);
  });
});

describe('session handles', () => {
  it('creates a session with initial messages, and ignores them when it exists', async () => {
    const agent = createAgent({ model: echo(), sessions });
    const chat = await agent.session({
      userId: 'u',
      sessionId: 'seeded',
      messages: [
        { role: 'user', content: 'earlier' },
        { role: 'assistant', content: 'noted' },
      ],
      title: 'Seeded',
    });
    expect(chat.messages.map((m) => m.content)).toEqual(['earlier', 'noted']);
    expect(chat.info.title).toBe('Seeded');
    const again = await agent.session({ userId: 'u', sessionId: 'seeded', messages: [{ role: 'user', content: 'ignored' }] });
    expect(again.messages.map((m) => m.content)).toEqual(['earlier', 'noted']);
  });

  it('keeps its copy current after streamed turns, and re-reads it when another writer got in between', async () => {
    const agent = createAgent({ model: echo(), sessions });
    const chat = await agent.session({ userId: 'u' });
    const stream = chat.stream('one');
    await stream.result;
    expect(chat.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    await sessions.append(chat.key, { role: 'user', content: 'from elsewhere' });
    await chat.run('two');
    expect(chat.messages.map((m) => m.content)).toEqual([
      'one',
      [{ type: 'text', text: 'echo: one' }],
      'from elsewhere',
      'two',
      [{ type: 'text', text: 'echo: two' }],
    ]);
    expect(chat.messages).toEqual(await sessions.messages(chat.key));
  });

  it('imports a snapshot into a store that does not have the session, seq and ids kept', async () => {
    const agent = createAgent({ model: rememberingModel(), sessions });
    const chat = await agent.session({ userId: 'u', system: 'Be brief.' });
    await chat.run('My name is Alice');
    const snapshot = JSON.stringify(chat);

    const otherEngine = new MemoryEngine();
    await otherEngine.setup();
    const elsewhere = createAgent({ model: rememberingModel(), sessions: new SessionManager({ engine: otherEngine }) });
    const moved = await AgentSession.fromJSON(snapshot, { agent: elsewhere });
    expect(moved.messages).toEqual(chat.messages);
    expect(moved.system).toBe('Be brief.');
    expect((await moved.run("What's my name?")).text).toBe('Your name is Alice.');
    await expect(AgentSession.fromJSON({ format: 'other' }, { agent })).rejects.toBeInstanceOf(ValidationError);
  });

  it('refuses a snapshot it cannot read, or a missing agent, with a ValidationError naming the place, importing nothing', async () => {
    const agent = createAgent({ model: echo(), sessions });
    const chat = await agent.session({ userId: 'u' });
    await chat.run('one');
    const snapshot = chat.toJSON();
    await chat.clear();
    const refusals: [unknown, unknown, RegExp][] = [
      [snapshot, undefined, /options\.agent/],
      [snapshot, {}, /options\.agent/],
      [snapshot, { agent: { sessions } }, /options\.agent/],
      [snapshot, { agent: { run: () => undefined, sessions: {} } }, /options\.agent/],
      ['{"format": "sessions.ai.session", "version": 1', { agent }, /data: the snapshot is not valid JSON/],
      [{ ...snapshot, version: 2 }, { agent }, /data\.version/],
      [{ ...snapshot, system: 42 }, { agent }, /data\.system/],
      [{ ...snapshot, session: undefined }, { agent }, /data\.session/],
      [{ ...snapshot, session: 'not an export' }, { agent }, /data\.session/],
      [{ ...snapshot, session: { format: 'other' } }, { agent }, ValidationError as never],
    ];
    for (const [data, options, message] of refusals) {
      const refused = AgentSession.fromJSON(data, options as never);
      await expect(refused).rejects.toBeInstanceOf(ValidationError);
      if (message instanceof RegExp) await expect(refused).rejects.toThrow(message);
    }
    expect(await sessions.messages(chat.key)).toEqual([]);
  });

  it('forks under a chosen id and keeps the handle’s system prompt', async () => {
    const agent = createAgent({ model: echo(), sessions });
    const chat = await agent.session({ userId: 'u', system: 'S' });
    await chat.run('one');
    const fork = await chat.fork({ sessionId: 'branch' });
    expect(fork.sessionId).toBe('branch');
    expect(fork.system).toBe('S');
    expect(fork.messages.map((m) => m.content)).toEqual(chat.messages.map((m) => m.content));
    await fork.addMessage({ role: 'user', content: 'only in the fork' });
    expect(chat.messages).toHaveLength(2);
    expect(fork.messages).toHaveLength(3);
  });

  it('waits for a busy session when told to', async () => {
    const agent = createAgent({ model: echo(), sessions });
    const chat = await agent.session({ userId: 'u' });
    const lease = await sessions.acquire(chat.key);
    const adding = chat.addMessage({ role: 'user', content: 'queued' }, { waitMs: 5_000 });
    await delay(30);
    await sessions.release(lease);
    expect((await adding).map((m) => m.content)).toEqual(['queued']);
  });
});
