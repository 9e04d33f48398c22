// A small demo on the embedded default: a conversation that remembers across runs.
// Run it twice: the second run picks up where the first left off.
import { mkdirSync } from 'node:fs';
import { createEngine, SessionManager } from '@sessions/core';

const url = process.env.SESSIONS_URL ?? 'sqlite:./.data/demo.db';
if (url.startsWith('sqlite:./.data/')) mkdirSync('.data', { recursive: true });

const engine = await createEngine(url);
await engine.setup();
const sessions = new SessionManager({ engine });
const key = { userId: 'alice', sessionId: 'demo' };
await sessions.getOrCreate({ ...key, title: 'Demo conversation' });

await sessions.run(key, async ({ history, append }) => {
  const visits = history.filter((message) => message.role === 'user').length + 1;
  const reply =
    visits === 1
      ? 'Nice to meet you, Alice. Run the demo again: I will remember you.'
      : `Welcome back, Alice. This is visit ${visits}; I have ${history.length} earlier messages of ours.`;
  await append([
    { role: 'user', content: visits === 1 ? 'Hi, my name is Alice.' : 'Hi again, do you remember me?' },
    { role: 'assistant', content: reply },
  ]);
});

console.log(`sessions demo on ${url} (set SESSIONS_URL to try another store)\n`);
for (const message of await sessions.messages(key, { last: 6 })) {
  console.log(`  #${String(message.seq).padStart(3)} ${message.role.padEnd(9)} ${message.content}`);
}
const session = await sessions.get(key);
console.log(`\n${session.messageCount} messages stored in session ${JSON.stringify(key.sessionId)} of user ${JSON.stringify(key.userId)}.`);
await engine.close();
