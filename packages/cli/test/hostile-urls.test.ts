import { hostileUrls, URL_SECRET, type HostileUrlScheme } from '@sessions/core/testing';
import { createTestStore } from '@sessions/postgres/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../src/exit-codes.js';
import { runBin } from './support/run-bin.js';
import { cli } from './support/run-cli.js';

const SCHEMES: HostileUrlScheme[] = ['postgres:', 'postgresql:', 'mysql:', 'mariadb:', 'redis:', 'rediss:', 'sqlite:', 'jsonl:'];

/** Every command that opens a store from a URL, with the URL in each place it can go. */
const COMMANDS: ReadonlyArray<{ name: string; args: (url: string) => string[] }> = [
  { name: 'ls', args: (url) => ['ls', url] },
  { name: 'ls --json', args: (url) => ['ls', url, '--json'] },
  { name: 'doctor', args: (url) => ['doctor', url] },
  { name: 'doctor --json', args: (url) => ['doctor', url, '--json'] },
  { name: 'migrate from it', args: (url) => ['migrate', url, 'memory:'] },
  { name: 'migrate --json to it', args: (url) => ['migrate', 'memory:', url, '--json'] },
];

describe('the CLI never prints the secret of a hostile URL', () => {
  for (const scheme of SCHEMES) {
    for (const entry of hostileUrls(scheme)) {
      it(`${scheme} URL with ${entry.description}: ls, doctor and migrate, text and --json, with SESSIONS_DEBUG stacks`, async () => {
        for (const command of COMMANDS) {
          for (const env of [{}, { SESSIONS_DEBUG: '1' }] as Array<Record<string, string>>) {
            const result = await cli([...command.args(entry.url), '--connect-timeout', '10s'], { env });
            const where = `${command.name}${'SESSIONS_DEBUG' in env ? ' (SESSIONS_DEBUG)' : ''}: ${result.stderr}`;
            expect(result.code, where).not.toBe(EXIT.ok);
            if (entry.invalid) expect(result.code, where).toBe(EXIT.usage);
            expect(result.stdout + result.stderr, where).not.toContain(URL_SECRET);
          }
        }
      });
    }
  }
});

describe('a store reached with ?password= in its URL', () => {
  const store = createTestStore({ prefix: 'cli_secret_' });
  afterAll(async () => (await store).drop());

  it('doctor reports on it with the password hidden, in text and in --json', async () => {
    const url = `${(await store).url}&password=${URL_SECRET}`;
    expect((await cli(['ls', url])).code).toBe(EXIT.notFound);
    await (await store).engine().setup();

    const text = await cli(['doctor', url]);
    const json = await cli(['doctor', url, '--json']);

    expect(text.code, text.stderr).toBe(EXIT.ok);
    expect(json.code, json.stderr).toBe(EXIT.ok);
    expect(text.stdout + text.stderr + json.stdout + json.stderr).not.toContain(URL_SECRET);
    expect(text.stdout).toContain('password=***');
    expect((JSON.parse(json.stdout) as { url: string }).url).toMatch(/\?schema=[a-z0-9_]+&password=\*\*\*$/);
  });
});

describe('the sessions bin', () => {
  it('exits 2 for a Redis URL whose password has a /, naming the scheme but not the password', async () => {
    const result = await runBin(['ls', `redis://:x/${URL_SECRET}@127.0.0.1:1/11`]);

    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toMatch(/redis: URL/);
    expect(result.stdout + result.stderr).not.toContain(URL_SECRET);
  });
});
