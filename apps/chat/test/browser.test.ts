import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChatServer, type ChatServer } from '../src/chat-server.js';
import { configFromEnv } from '../src/config.js';
import { OfflineDemoModel } from '../src/offline-model.js';

const CHROMIUM = '/usr/bin/chromium';
const screenshots = fileURLToPath(new URL('../test-output/screenshots/', import.meta.url));

let dataDir: string;
let profileDir: string;
let server: ChatServer;
let context: BrowserContext;

async function start(port = 0): Promise<ChatServer> {
  const config = { ...configFromEnv({}), port, sessionsUrl: `sqlite:${join(dataDir, 'chat.db')}` };
  // Slow enough streaming that two racing tabs really overlap.
  return startChatServer(config, { model: new OfflineDemoModel({ delayMs: 40 }), modelLabel: 'Offline demo model (test)' });
}

async function openAs(user: string, page?: Page): Promise<Page> {
  const target = page ?? (await context.newPage());
  await target.goto(server.url);
  await target.getByLabel('Your name').fill(user);
  await target.getByRole('button', { name: 'Use this name' }).click();
  // The page moves focus to "New chat" once the name is taken and the list is loaded.
  await expect.poll(() => target.evaluate(() => document.activeElement?.id)).toBe('new-chat');
  expect(await target.locator('#layout').isVisible()).toBe(true);
  return target;
}

/** Sends a message and waits until its reply has finished streaming. */
async function send(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByLabel('Message', { exact: true }).press('Enter');
  await expect.poll(() => page.locator('#send').isEnabled()).toBe(true);
  await expect.poll(() => page.getByLabel('Message', { exact: true }).inputValue()).toBe('');
}

const messageTexts = (page: Page) => page.locator('#messages .message .text').allTextContents();
const sessionIdOf = (page: Page) => page.evaluate(() => decodeURIComponent(location.hash.replace('#/s/', '')));

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'chat-e2e-data-'));
  profileDir = await mkdtemp(join(tmpdir(), 'chat-e2e-profile-'));
  await mkdir(screenshots, { recursive: true });
  server = await start();
  try {
    await readFile(CHROMIUM);
  } catch {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: run \`apt-get install chromium\` (.ci/install-chromium does it in CI).`);
  }
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP rebind.test 127.0.0.1'],
  });
});

afterAll(async () => {
  await context?.close();
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(profileDir, { recursive: true, force: true });
});

describe('the chat app in a real browser', () => {
  let aliceSession = '';
  const aliceConversation = ['My name is Alice', "Nice to meet you, Alice! I'll remember that.", "What's my name?", 'Your name is Alice.', "What's my name?", 'Your name is Alice.'];

  it('streams a reply and remembers the conversation across turns', async () => {
    const page = await context.newPage();
    await page.goto(server.url);
    await expect.poll(() => page.locator('#model-label').textContent()).toBe('Offline demo model (test)');
    expect(await page.locator('#model-label').isVisible()).toBe(true);
    // Nothing of the conversation screen shows before a name is chosen, nor its actions before a conversation is open.
    expect(await page.locator('#layout').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'New chat', exact: true }).count()).toBe(0);
    await openAs('alice', page);
    expect(await page.locator('#conversation-actions').isVisible()).toBe(false);
    expect(await page.locator('#composer').isVisible()).toBe(false);
    await page.getByRole('button', { name: 'New chat', exact: true }).click();
    await expect.poll(() => sessionIdOf(page)).toMatch(/^sess_/);
    aliceSession = await sessionIdOf(page);
    await send(page, 'My name is Alice');
    await expect.poll(() => messageTexts(page)).toEqual(['My name is Alice', 'Nice to meet you, Alice! I\'ll remember that.']);
    await send(page, "What's my name?");
    await expect.poll(() => messageTexts(page)).toContain('Your name is Alice.');
    await expect.poll(() => page.locator('#session-list .session-preview').first().textContent()).toContain('Your name is Alice.');
    // An untitled conversation is named after its first message.
    expect(await page.locator('#session-list .session-title').first().textContent()).toBe('My name is Alice');
    expect(await page.locator('#conversation-title').textContent()).toBe('My name is Alice');
    await page.screenshot({ path: join(screenshots, 'conversation.png'), fullPage: true });
    await page.close();
  });

  it('serves the page and the API with the security headers, and the page runs under its CSP', async () => {
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    const apiResponse = page.waitForResponse((response) => response.url().endsWith('/api/info'));
    const document = await page.goto(server.url);
    for (const headers of [document!.headers(), (await apiResponse).headers()]) {
      expect(headers['content-security-policy']).toMatch(/script-src 'self'/);
      expect(headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
      expect(headers['content-security-policy']).not.toMatch(/unsafe-inline/);
      expect(headers['x-frame-options']).toBe('DENY');
      expect(headers['referrer-policy']).toBe('no-referrer');
      expect(headers['x-content-type-options']).toBe('nosniff');
    }
    // The page works under the policy: its script ran and filled in the model label.
    await expect.poll(() => page.locator('#model-label').textContent()).toBe('Offline demo model (test)');
    expect(violations).toEqual([]);
    // DNS rebinding: Chromium resolves rebind.test to 127.0.0.1 (--host-resolver-rules below), as a
    // rebound name would; the server refuses it, so a remote page cannot read or write chats.
    const rebound = await page.goto(server.url.replace('127.0.0.1', 'rebind.test'));
    expect(rebound!.status()).toBe(421);
    expect(await page.textContent('body')).toMatch(/does not answer to that host name/);
    await page.close();
  });

  it('shows the conversation again after a reload and after a server restart', async () => {
    const page = await openAs('alice');
    await page.goto(`${server.url}#/s/${aliceSession}`);
    await page.reload();
    await expect.poll(() => messageTexts(page)).toHaveLength(4);
    const port = Number(new URL(server.url).port);
    await server.close();
    server = await start(port);
    await page.goto(`${server.url}#/s/${aliceSession}`);
    await expect.poll(() => messageTexts(page)).toEqual(aliceConversation.slice(0, 4));
    await send(page, "What's my name?");
    await expect.poll(() => messageTexts(page)).toEqual(aliceConversation);
    await page.close();
  });

  it('keeps a turn the page stopped watching: reloading mid-reply loses nothing', async () => {
    const page = await openAs('reloader');
    await page.getByRole('button', { name: 'New chat', exact: true }).click();
    await expect.poll(() => sessionIdOf(page)).toMatch(/^sess_/);
    const key = { userId: 'reloader', sessionId: await sessionIdOf(page) };
    // The offline model quotes the message, so this reply streams for about two seconds.
    const question = `Tell me a long story ${'la '.repeat(40)}`.trim();
    await page.getByLabel('Message', { exact: true }).fill(question);
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.locator('#messages .message.assistant .text').first().textContent()).toMatch(/^\(offline/);
    await page.reload();
    await expect.poll(async () => (await server.sessions.messages(key)).length, { timeout: 20_000 }).toBe(2);
    await page.reload();
    await expect.poll(() => messageTexts(page)).toEqual([question, `(offline demo model, not an LLM) You said: "${question}". I can see 0 earlier messages in this conversation.`]);
    await page.close();
  });

  it('forks from a message and keeps both branches', async () => {
    const page = await openAs('alice');
    await page.goto(`${server.url}#/s/${aliceSession}`);
    await expect.poll(() => messageTexts(page)).toEqual(aliceConversation);
    await page.getByRole('button', { name: 'Fork the conversation from message 2' }).click();
    await expect.poll(async () => (await sessionIdOf(page)) !== aliceSession).toBe(true);
    await expect.poll(() => messageTexts(page)).toHaveLength(2);
    await expect(page.locator('#conversation-title').textContent()).resolves.toContain('(fork)');
    await send(page, 'My name is Bob');
    await expect.poll(() => messageTexts(page)).toHaveLength(4);
    await send(page, "What's my name?");
    await expect.poll(() => messageTexts(page)).toContain('Your name is Bob.');
    await page.screenshot({ path: join(screenshots, 'fork.png'), fullPage: true });
    await page.goto(`${server.url}#/s/${aliceSession}`);
    // The fork also shows six messages, so wait for the original's own text rather than a count.
    await expect.poll(() => messageTexts(page)).toEqual(aliceConversation);
    await page.close();
  });

  it('keeps two racing tabs from interleaving, telling the second that the session is busy', async () => {
    const first = await openAs('alice');
    const second = await context.newPage();
    await first.getByRole('button', { name: 'New chat', exact: true }).click();
    await expect.poll(() => sessionIdOf(first)).toMatch(/^sess_/);
    const sessionId = await sessionIdOf(first);
    await second.goto(`${server.url}#/s/${sessionId}`);
    await expect.poll(() => second.locator('#composer').isVisible()).toBe(true);
    await first.getByLabel('Message', { exact: true }).fill('first tab speaking with a long enough message to stream slowly');
    await second.getByLabel('Message', { exact: true }).fill('second tab speaking');
    await first.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => first.locator('#messages .message').count()).toBeGreaterThan(0);
    await second.getByRole('button', { name: 'Send' }).click();
    // Read the status and the waiting message in one snapshot: both change together when the wait ends.
    const waitingView = () =>
      second.evaluate(() => ({
        status: document.querySelector('#status')?.textContent ?? '',
        pending: [...document.querySelectorAll('#messages .message.pending')].map((item) => item.textContent ?? ''),
      }));
    await expect
      .poll(
        async () => {
          const view = await waitingView();
          return /busy/.test(view.status) ? view.pending : 'not told it is busy yet';
        },
        { timeout: 10_000 },
      )
      .toEqual([expect.stringContaining('second tab speaking')]);
    await second.screenshot({ path: join(screenshots, 'busy.png'), fullPage: true });
    const key = { userId: 'alice', sessionId };
    await expect.poll(async () => (await server.sessions.messages(key)).length, { timeout: 20_000 }).toBe(4);
    const stored = await server.sessions.messages(key);
    expect(stored.map((message) => message.seq)).toEqual([1, 2, 3, 4]);
    expect(stored.map((message) => message.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    const text = (content: unknown) => (typeof content === 'string' ? content : (content as Array<{ text?: string }>).map((part) => part.text ?? '').join(''));
    const pairs = [text(stored[0]!.content), text(stored[2]!.content)].sort();
    expect(pairs).toEqual(['first tab speaking with a long enough message to stream slowly', 'second tab speaking']);
    // each reply quotes the message it answers: the pairs did not interleave
    for (const index of [1, 3]) expect(text(stored[index]!.content)).toContain(text(stored[index - 1]!.content));
    // the first tab, looked at again, catches up with what the second one added
    await first.evaluate(() => window.dispatchEvent(new Event('focus')));
    await expect.poll(() => first.locator('#messages .message').count(), { timeout: 10_000 }).toBe(4);
    await first.close();
    await second.close();
  });

  it('exports a conversation to a file and imports it again', async () => {
    const page = await openAs('alice');
    await page.goto(`${server.url}#/s/${aliceSession}`);
    await expect.poll(() => messageTexts(page)).toEqual(aliceConversation);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export' }).click()]);
    const file = join(dataDir, 'export.json');
    await download.saveAs(file);
    const exported = JSON.parse(await readFile(file, 'utf8')) as { format: string; messages: unknown[] };
    expect(exported.format).toBe('sessions.export');
    expect(exported.messages).toHaveLength(6);
    await page.getByLabel('Import a conversation (.json)').setInputFiles(file);
    await expect.poll(() => page.locator('#status').textContent()).toMatch(/Imported/);
    await expect.poll(async () => (await sessionIdOf(page)) !== aliceSession).toBe(true);
    await expect.poll(() => messageTexts(page)).toHaveLength(6);
    const hostile = join(dataDir, 'hostile.json');
    await writeFile(hostile, JSON.stringify({ format: 'sessions.export', version: 1, session: { userId: 'x', sessionId: '../../etc/passwd\u0001' }, messages: [] }));
    await page.getByLabel('Import a conversation (.json)').setInputFiles(hostile);
    await expect.poll(() => page.locator('#status').textContent()).toMatch(/export\.session/);
    await page.screenshot({ path: join(screenshots, 'import-error.png'), fullPage: true });
    await page.close();
  });

  it("never shows another user's conversation, even with its id in the URL", async () => {
    const page = await openAs('mallory');
    await page.goto(`${server.url}#/s/${aliceSession}`);
    await expect.poll(() => page.locator('#status').textContent()).toMatch(/does not exist for this user/);
    expect(await messageTexts(page)).toEqual([]);
    expect(await page.locator('#session-list').textContent()).not.toContain('Alice');
    const denied = await page.evaluate(async (id) => {
      const response = await fetch(`/api/sessions/${id}`, { method: 'DELETE', headers: { 'x-chat-user': 'mallory' } });
      return response.status;
    }, aliceSession);
    expect(denied).toBe(404);
    expect(await server.sessions.get({ userId: 'alice', sessionId: aliceSession })).not.toBeNull();
    await page.screenshot({ path: join(screenshots, 'other-user.png'), fullPage: true });
    await page.close();
  });

  it('refuses empty and oversized messages with a clear message', async () => {
    const page = await openAs('alice');
    await page.goto(`${server.url}#/s/${aliceSession}`);
    await expect.poll(() => messageTexts(page)).toEqual(aliceConversation);
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.locator('#status').textContent()).toMatch(/Type a message first/);
    const status = await page.evaluate(async (id) => {
      const response = await fetch(`/api/sessions/${id}/messages`, {
        method: 'POST',
        headers: { 'x-chat-user': 'alice', 'content-type': 'application/json' },
        body: JSON.stringify({ content: 'x'.repeat(100_000) }),
      });
      return { status: response.status, body: (await response.json()) as { message: string } };
    }, aliceSession);
    expect(status.status).toBe(400);
    expect(status.body.message).toMatch(/8,000 characters/);
    expect(await server.sessions.messages({ userId: 'alice', sessionId: aliceSession })).toHaveLength(6);
    await page.close();
  });

  it('renames, searches, archives and unarchives from the list', async () => {
    const page = await openAs('searcher');
    page.on('dialog', (dialog) => void (dialog.type() === 'prompt' ? dialog.accept('Kyoto trip 🗾') : dialog.accept()));
    await page.getByRole('button', { name: 'New chat', exact: true }).click();
    await expect.poll(() => sessionIdOf(page)).toMatch(/^sess_/);
    await send(page, 'Plan 100% of the trip_details please');
    await page.getByRole('button', { name: 'Rename' }).click();
    await expect.poll(() => page.locator('#conversation-title').textContent()).toBe('Kyoto trip 🗾');
    await page.getByRole('button', { name: 'New chat', exact: true }).click();
    await expect.poll(() => page.locator('#session-list li').count()).toBe(2);
    await page.getByLabel('Search conversations').fill('kyoto');
    await expect.poll(() => page.locator('#session-list .session-title').allTextContents()).toEqual(['Kyoto trip 🗾']);
    await page.getByLabel('Search conversations').fill('100%');
    await expect.poll(() => page.locator('#session-list .session-title').allTextContents()).toEqual(['Kyoto trip 🗾']);
    await page.getByLabel('Search conversations').fill('_');
    await expect.poll(() => page.locator('#session-list .session-title').allTextContents()).toEqual(['Kyoto trip 🗾']);
    await page.getByLabel('Search conversations').fill('nothing like this');
    await expect.poll(() => page.locator('#session-list').textContent()).toContain('No conversation matches.');
    await page.getByLabel('Search conversations').fill('');
    await page.locator('#session-list button', { hasText: 'Kyoto trip' }).click();
    await expect.poll(() => page.locator('#conversation-title').textContent()).toBe('Kyoto trip 🗾');
    await page.getByRole('button', { name: 'Archive' }).click();
    await expect.poll(() => page.locator('#session-list .session-title').allTextContents()).toEqual(['New chat']);
    await page.getByLabel('Show archived').check();
    await expect.poll(() => page.locator('#session-list .session-title').allTextContents()).toContain('Kyoto trip 🗾 (archived)');
    await page.getByRole('button', { name: 'Unarchive' }).click();
    await expect.poll(() => page.locator('#status').textContent()).toMatch(/Back in your list/);
    await page.getByLabel('Show archived').uncheck();
    await expect.poll(() => page.locator('#session-list .session-title').allTextContents()).toHaveLength(2);
    await page.screenshot({ path: join(screenshots, 'list.png'), fullPage: true });
    await page.close();
  });

  it('can be used with the keyboard alone on a phone-sized screen', async () => {
    const page = await context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(server.url);
    await page.evaluate(() => localStorage.removeItem('chat-user'));
    await page.reload();
    // The name box has focus on a first visit; Enter takes the name and moves on to "New chat".
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('user-name');
    await page.keyboard.type('keyboard-user');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('new-chat');
    await page.keyboard.press('Enter');
    // The message box takes focus once the new conversation is shown.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('composer-input');
    await page.keyboard.type('My name is Kim');
    await page.keyboard.press('Enter');
    await expect.poll(() => messageTexts(page)).toEqual(['My name is Kim', "Nice to meet you, Kim! I'll remember that."]);
    expect((await server.sessions.list({ userId: 'keyboard-user' })).sessions).toHaveLength(1);
    await expect.poll(() => page.locator('#send').isEnabled()).toBe(true);
    await page.keyboard.type("What's my name?");
    await page.keyboard.press('Enter');
    await expect.poll(() => messageTexts(page)).toContain('Your name is Kim.');

    // Shift+Tab reaches the conversation's actions and the list; Enter on a list entry opens it.
    const focused = () => page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
    for (let i = 0; i < 30 && (await focused()) !== 'Export'; i++) await page.keyboard.press('Shift+Tab');
    expect(await focused()).toBe('Export');
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    expect(download.suggestedFilename()).toMatch(/^session-sess_.*\.json$/);

    const unnamed = await page.evaluate(() =>
      Array.from(document.querySelectorAll('button, input, textarea, select'))
        .filter((element) => (element as HTMLElement).offsetParent !== null)
        .filter((element) => {
          const labelled = (element as HTMLInputElement).labels?.length || element.getAttribute('aria-label') || element.getAttribute('aria-labelledby');
          return !labelled && !element.textContent?.trim();
        })
        .map((element) => element.outerHTML.slice(0, 80)),
    );
    expect(unnamed).toEqual([]);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    expect(overflow).toBe(false);
    await page.screenshot({ path: join(screenshots, 'phone.png'), fullPage: true });
    await page.close();
  });

  it('pages through a long list, newest first, and searches titles and metadata', async () => {
    for (let i = 1; i <= 23; i++) await server.sessions.create({ userId: 'pager', title: `Trip ${String(i).padStart(2, '0')}`, metadata: { preview: i === 7 ? 'about volcanoes' : '' } });
    const page = await openAs('pager');
    const titles = () => page.locator('#session-list .session-title').allTextContents();
    const newestFirst = Array.from({ length: 23 }, (_, i) => `Trip ${String(23 - i).padStart(2, '0')}`);
    await expect.poll(titles).toEqual(newestFirst.slice(0, 20));
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(titles).toEqual(newestFirst);
    expect(await page.getByRole('button', { name: 'Load more' }).isVisible()).toBe(false);
    await page.getByLabel('Search conversations').fill('Volcano');
    await expect.poll(titles).toEqual(['Trip 07']);
    await page.getByLabel('Search conversations').fill('trip 1');
    await expect.poll(titles).toEqual(['Trip 19', 'Trip 18', 'Trip 17', 'Trip 16', 'Trip 15', 'Trip 14', 'Trip 13', 'Trip 12', 'Trip 11', 'Trip 10']);
    await page.close();
  });

  it('refuses a user name the store cannot hold, and keeps the previous one', async () => {
    const page = await openAs('alice');
    await page.getByLabel('Your name').fill('tab\there');
    await page.getByRole('button', { name: 'Use this name' }).click();
    await expect.poll(() => page.locator('#status').textContent()).toBe('That user name cannot be used: use 1 to 64 visible characters.');
    expect(await page.evaluate(() => localStorage.getItem('chat-user'))).toBe('alice');
    await page.reload();
    await expect.poll(() => page.locator('#session-list .session-title').allTextContents()).toContain('My name is Alice');
    await page.close();
  });
});
