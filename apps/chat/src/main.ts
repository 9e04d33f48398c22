import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { redactUrl } from '@sessions/core';
import { startChatServer } from './chat-server.js';
import { configFromEnv } from './config.js';

const config = configFromEnv();
if (config.sessionsUrl.startsWith('sqlite:') && !process.env['SESSIONS_URL']) {
  mkdirSync(fileURLToPath(new URL('../data', import.meta.url)), { recursive: true });
}
const server = await startChatServer(config);
console.log(`sessions chat is running at ${server.url}`);
console.log(`store: ${redactUrl(config.sessionsUrl)}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void server.close().then(() => process.exit(0));
  });
}
