import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { redactUrl, SessionsError } from '@sessions/core';
import { startChatServer } from './chat-server.js';
import { configFromEnv } from './config.js';

const config = configFromEnv();
if (config.sessionsUrl.startsWith('sqlite:') && !process.env['SESSIONS_URL']) {
  mkdirSync(fileURLToPath(new URL('../data', import.meta.url)), { recursive: true });
}
const server = await startChatServer(config).catch((error: unknown) => {
  // A stack trace is no help to someone who just ran the demo command: say what to change.
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE' || code === 'EACCES') {
    console.error(`sessions chat cannot listen on ${config.host}:${config.port} (${code}): set PORT (and HOST) to a free address, e.g. PORT=3001.`);
  } else if (error instanceof SessionsError) {
    console.error(
      `sessions chat cannot open its store ${redactUrl(config.sessionsUrl)}: ${error.message}\nCheck SESSIONS_URL and that the server it names is running.`,
    );
  } else {
    throw error;
  }
  process.exit(1);
});
console.log(`sessions chat is running at ${server.url}`);
console.log(`store: ${redactUrl(config.sessionsUrl)}`);
if (['0.0.0.0', '::', '[::]'].includes(config.host) && !process.env['CHAT_ALLOWED_HOSTS']) {
  // Other machines reach it by a name or address this server does not know: it answers 421 to those.
  console.log('listening on every interface, but answering only to loopback names: list the names people will use in CHAT_ALLOWED_HOSTS.');
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void server.close().then(() => process.exit(0));
  });
}
