// One agent turn in its own process: node remember-child.mjs <store-url> <userId> <sessionId|-> <input>
// Prints { text, sessionId, prompt } where prompt is every text the model was sent.
import { createEngine, SessionManager } from '@sessions/core';
import { MockLanguageModelV3 } from 'ai/test';
import { createAgent } from '../../dist/index.js';

const [url, userId, sessionId, input] = process.argv.slice(2);
const prompts = [];
const usage = { inputTokens: { total: 1, noCache: 1, cacheRead: undefined, cacheWrite: undefined }, outputTokens: { total: 1, text: 1, reasoning: undefined } };
const model = new MockLanguageModelV3({
  doGenerate: async ({ prompt }) => {
    const texts = prompt.flatMap((message) =>
      typeof message.content === 'string' ? [message.content] : message.content.filter((part) => part.type === 'text').map((part) => part.text),
    );
    prompts.push(...texts);
    const last = texts.at(-1) ?? '';
    const introduced = /My name is (\w+)/.exec(last)?.[1];
    const known = texts
      .map((text) => /My name is (\w+)/.exec(text)?.[1])
      .filter(Boolean)
      .at(-1);
    const text = introduced ? `Nice to meet you, ${introduced}.` : known ? `Your name is ${known}.` : "I don't know your name.";
    return { content: [{ type: 'text', text }], finishReason: { unified: 'stop', raw: 'stop' }, usage, warnings: [] };
  },
});

const engine = await createEngine(url);
await engine.setup();
try {
  const agent = createAgent({ model, sessions: new SessionManager({ engine }) });
  const result = await agent.run(sessionId === '-' ? { userId } : { userId, sessionId }, input);
  process.stdout.write(JSON.stringify({ text: result.text, sessionId: result.sessionId, prompt: prompts }));
} finally {
  await engine.close();
}
