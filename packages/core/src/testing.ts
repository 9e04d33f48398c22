/**
 * Helpers for integration tests against real PostgreSQL, MySQL/MariaDB and Redis servers, shared
 * by the adapters' `testing` entry points and this repository's own tests.
 *
 * @example
 * import { requireTestServer, testServerUrl } from '@sessions/core/testing';
 * const url = testServerUrl('postgres'); // SESSIONS_TEST_POSTGRES_URL or the loopback default
 * await requireTestServer('postgres', () => ping(url)); // fails with how to start the server
 *
 * @module
 */
import type { NewMessage } from './engine/engine.js';
import { redactUrl, type SessionKey } from './errors.js';
import { newMessageId } from './ids.js';
export * from './hostile-urls.js';
export * from './sql-test-cases.js';
import type { Message } from './models/message-model.js';

export type TestServer = 'postgres' | 'mysql' | 'redis';

interface TestServerInfo {
  readonly name: string;
  readonly variable: string;
  readonly defaultUrl: string;
}

/**
 * The servers integration tests use, one place for every package: each is read from its
 * environment variable, with a loopback default matching `compose.yaml` and the CI machine.
 */
export const TEST_SERVERS: Readonly<Record<TestServer, TestServerInfo>> = Object.freeze({
  postgres: { name: 'PostgreSQL', variable: 'SESSIONS_TEST_POSTGRES_URL', defaultUrl: 'postgres://postgres@127.0.0.1:5432/test' },
  mysql: { name: 'MySQL/MariaDB', variable: 'SESSIONS_TEST_MYSQL_URL', defaultUrl: 'mysql://root@127.0.0.1:3306/test' },
  redis: { name: 'Redis', variable: 'SESSIONS_TEST_REDIS_URL', defaultUrl: 'redis://127.0.0.1:6379' },
});

/** The URL of a test server: its environment variable, or the loopback default. */
export function testServerUrl(server: TestServer): string {
  const info = TEST_SERVERS[server];
  return globalThis.process?.env?.[info.variable] || info.defaultUrl;
}

/** A name no other test run uses, for a schema, database or key prefix. */
export function uniqueTestName(prefix: string): string {
  // Web Crypto rather than node:crypto, so core stays free of Node-only imports.
  const random = Array.from(crypto.getRandomValues(new Uint8Array(4)), (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${prefix}${Date.now().toString(36)}_${random}`;
}

/** What to do when a test server does not answer. */
export function howToStart(server: TestServer, url = testServerUrl(server)): string {
  const info = TEST_SERVERS[server];
  return (
    `${info.name} is not reachable at ${redactUrl(url)}. Start the test servers with \`docker compose up -d --wait\` at the ` +
    `repository root (on the CI machine \`bash .ci/start-servers\` starts the local ones), or set ${info.variable} to a server ` +
    'the tests may create schemas, databases or keys in.'
  );
}

/**
 * Runs `connect` against a test server and turns a failure into an error that says how to
 * start the server: a missing server fails the test, it never skips it. `url` is the address
 * the message names, `testServerUrl(server)` unless given.
 */
export async function requireTestServer<T>(server: TestServer, connect: () => Promise<T>, url = testServerUrl(server)): Promise<T> {
  try {
    return await connect();
  } catch (cause) {
    throw new Error(`${howToStart(server, url)} (${(cause as Error)?.message ?? String(cause)})`, { cause });
  }
}

type TestMessageFields = Partial<Omit<Message, 'userId' | 'sessionId' | 'seq'>>;

/**
 * A complete message record for tests that call an engine directly: a user message of `key`
 * with a fresh id, every optional field at its default, and `fields` on top. With `seq` it is a
 * stored `Message` (for `createSession`); without, a `NewMessage` (for `appendMessages`).
 *
 * @example
 * await engine.appendMessages(key, [testMessage(key, { content: 'hi' })], { lease })
 */
export function testMessage(key: SessionKey, fields: TestMessageFields & { seq: number }): Message;
export function testMessage(key: SessionKey, fields?: TestMessageFields): NewMessage;
export function testMessage(key: SessionKey, fields: TestMessageFields & { seq?: number } = {}): NewMessage | Message {
  return {
    userId: key.userId,
    sessionId: key.sessionId,
    id: newMessageId(),
    role: 'user',
    content: '',
    name: null,
    toolCalls: null,
    toolCallId: null,
    agentId: null,
    runId: null,
    metadata: {},
    createdAt: new Date(),
    ...fields,
  };
}
