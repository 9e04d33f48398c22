import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { hostileUrls, URL_SECRET } from '@sessions/core/testing';
import { createTestStore } from '@sessions/postgres/testing';
import { afterAll, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** Runs the built app with `SESSIONS_URL`, until it exits or has printed its store line. */
function start(sessionsUrl: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env['PATH'] ?? '', SESSIONS_URL: sessionsUrl, HOST: '127.0.0.1', PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (/^store: /m.test(output)) child.kill('SIGTERM');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

const PICKED = ['?password=', 'an unencoded @ in the password', 'an empty user and a / in the password'];

describe('the startup lines', () => {
  for (const scheme of ['postgres:', 'mysql:', 'redis:'] as const) {
    for (const entry of hostileUrls(scheme).filter((candidate) => PICKED.includes(candidate.description))) {
      it(`never show the secret of a ${scheme} URL with ${entry.description}, and say what to check`, async () => {
        const { code, output } = await start(entry.url);
        expect(code, output).toBe(1);
        expect(output).toMatch(/^sessions chat cannot open its store /);
        expect(output).not.toContain(URL_SECRET);
      });
    }
  }

  const store = createTestStore({ prefix: 'chat_secret_' });
  afterAll(async () => (await store).drop());

  it('show a store reached with ?password= with the password hidden', async () => {
    const { output } = await start(`${(await store).url}&password=${URL_SECRET}`);
    expect(output).toMatch(/^store: postgres:\/\/postgres@127\.0\.0\.1:5432\/test\?schema=\w+&password=\*\*\*$/m);
    expect(output).not.toContain(URL_SECRET);
  });
});
