import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadUIMessages, saveUIMessages } from '@sessions/ai';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChatServer, type ChatServer } from '../src/chat-server.js';
import { configFromEnv } from '../src/config.js';
import { OfflineDemoModel } from '../src/offline-model.js';

// The React app (web/, built by `pnpm build`) in Debian's Chromium, against the real server on SQLite.

const CHROMIUM = '/usr/bin/chromium';
const screenshots = fileURLToPath(new URL('../test-output/screenshots/', import.meta.url));
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

let dataDir: string;
let profileDir: string;
let server: ChatServer;
let context: BrowserContext;

async function start(port = 0): Promise<ChatServer> {
  const config = { ...configFromEnv({}), port, sessionsUrl: `sqlite:${join(dataDir, 'chat.db')}` };
  // Slow enough streaming that Stop and a reload land in the middle of a reply.
  return startChatServer(config, { model: new OfflineDemoModel({ delayMs: 40 }), modelLabel: 'Offline demo model (test)' });
}

const composer = (page: Page) => page.getByLabel('Message', { exact: true });
const messageTexts = (page: Page) => page.locator('.messages .message .text').allTextContents();
const messageIds = (page: Page) =>
  page.locator('.messages .message[data-message-id]').evaluateAll((items) => items.map((item) => item.getAttribute('data-message-id')));
const sessionIdOf = (page: Page) => page.evaluate(() => decodeURIComponent(location.hash.replace('#/s/', '')));
const sendButton = (page: Page) => page.getByRole('button', { name: 'Send', exact: true });

async function signIn(user: string, viewport = DESKTOP): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  await page.goto(server.url);
  // The page keeps the name in localStorage, shared by the tabs of this profile: sign in afresh.
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.getByLabel('Your name').fill(user);
  await page.getByRole('button', { name: 'Use this name' }).click();
  await expect.poll(() => page.getByRole('button', { name: 'Start a new chat' }).isVisible()).toBe(true);
  return page;
}

async function newChat(page: Page): Promise<string> {
  const before = await sessionIdOf(page);
  await page
    .getByRole('button', { name: 'Start a new chat' })
    .or(page.getByRole('button', { name: 'New chat', exact: true }))
    .first()
    .click();
  await expect.poll(async () => (await sessionIdOf(page)).startsWith('sess_') && (await sessionIdOf(page)) !== before).toBe(true);
  await expect.poll(() => composer(page).isVisible()).toBe(true);
  return sessionIdOf(page);
}

/** Sends a message and waits until its reply has finished streaming. */
async function send(page: Page, text: string): Promise<void> {
  const count = (await messageTexts(page)).length;
  await composer(page).fill(text);
  await composer(page).press('Enter');
  await expect.poll(async () => (await messageTexts(page)).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(count + 2);
  await expect.poll(() => sendButton(page).isVisible(), { timeout: 20_000 }).toBe(true);
}

/** In a new chat, sends a message whose reply streams for a few seconds; resolves once its first words show. */
async function startLongReply(user: string, words = 60) {
  const page = await signIn(user);
  const sessionId = await newChat(page);
  const question = `Tell me a long story ${'la '.repeat(words)}`.trim();
  await composer(page).fill(question);
  await composer(page).press('Enter');
  await expect.poll(() => page.locator('.messages .message.assistant .text').first().textContent()).toMatch(/^\(offline/);
  const full = `(offline demo model, not an LLM) You said: "${question}". I can see 0 earlier messages in this conversation.`;
  return { page, sessionId, question, full };
}

/** True when the element's box lies inside the viewport. */
async function onScreen(page: Page, selector: string): Promise<boolean> {
  return page
    .locator(selector)
    .last()
    .evaluate((element) => {
      const box = element.getBoundingClientRect();
      return box.top >= 0 && box.bottom <= window.innerHeight + 1 && box.height > 0;
    });
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'chat-e2e-data-'));
  profileDir = await mkdtemp(join(tmpdir(), 'chat-e2e-profile-'));
  await mkdir(screenshots, { recursive: true });
  try {
    await readFile(fileURLToPath(new URL('../dist/client/index.html', import.meta.url)));
  } catch {
    throw new Error('The page is not built: run `pnpm --filter @sessions/chat build` (vite build) first.');
  }
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
    viewport: DESKTOP,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--host-resolver-rules=MAP rebind.test 127.0.0.1',
    ],
  });
  context.setDefaultTimeout(10_000);
});

afterAll(async () => {
  await context?.close();
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(profileDir, { recursive: true, force: true });
});

describe('the chat app in a real browser', () => {
  let aliceSession = '';

  it('serves the page and the API with the security headers, runs under its CSP, and refuses a rebound host name', async () => {
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
    // The React page works under the policy: it rendered and read /api/info.
    await expect.poll(() => page.locator('.model-label').textContent()).toBe('Offline demo model (test)');
    expect(violations).toEqual([]);
    // DNS rebinding: Chromium resolves rebind.test to 127.0.0.1 (--host-resolver-rules above), as a
    // rebound name would; the server refuses it, so a remote page cannot read or write chats.
    const rebound = await page.goto(server.url.replace('127.0.0.1', 'rebind.test'));
    expect(rebound!.status()).toBe(421);
    await page.close();
  });

  it('explains itself on a first visit, then streams replies that remember earlier turns', async () => {
    const page = await context.newPage();
    await page.goto(server.url);
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await expect.poll(() => page.locator('.explainer').textContent()).toMatch(/conversations are kept in a session store/);
    await page.screenshot({ path: join(screenshots, 'first-visit-1280.png') });
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: join(screenshots, 'first-visit-390.png') });
    await page.setViewportSize(DESKTOP);
    await page.getByLabel('Your name').fill('alice');
    await page.getByRole('button', { name: 'Use this name' }).click();
    await expect.poll(() => page.locator('.signed-in').textContent()).toContain('alice');
    aliceSession = await newChat(page);

    await composer(page).fill('My name is Alice');
    await composer(page).press('Enter');
    // Streaming: the Stop button shows while the reply grows, then Send comes back.
    await expect.poll(() => page.getByRole('button', { name: 'Stop' }).isVisible()).toBe(true);
    await expect.poll(() => sendButton(page).isVisible(), { timeout: 20_000 }).toBe(true);
    await send(page, "What's my name?");
    expect(await messageTexts(page)).toEqual(['My name is Alice', "Nice to meet you, Alice! I'll remember that.", "What's my name?", 'Your name is Alice.']);
    // Screen readers hear the reply through the polite live region.
    expect(await page.locator('[aria-live="polite"][role="status"]').textContent()).toBe('Reply: Your name is Alice.');
    // The list names the conversation after its first message.
    await expect.poll(() => page.locator('.session-item.current .session-title').textContent()).toBe('My name is Alice');
    await expect.poll(() => page.locator('#conversation-title').textContent()).toBe('My name is Alice');
    await page.screenshot({ path: join(screenshots, 'conversation-1280.png') });
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: join(screenshots, 'conversation-390.png') });
    await page.close();
  });

  it('calls the clock tool and renders the call, its result and the answer', async () => {
    const page = await signIn('alice');
    await newChat(page);
    await send(page, 'What time is it?');
    const tool = page.locator('.messages .tool[data-tool="clock"]');
    await expect.poll(() => tool.locator('.tool-name').textContent()).toContain('Clock tool');
    const year = String(new Date().getUTCFullYear());
    expect(await tool.locator('.tool-summary').textContent()).toContain(year);
    await expect.poll(() => messageTexts(page)).toEqual(['What time is it?', expect.stringMatching(new RegExp(`^The clock tool says it is .*${year}`))]);
    // The tool call round-trips through the store: after a reload it renders the same.
    await page.reload();
    await expect.poll(() => tool.locator('.tool-summary').textContent()).toContain(year);
    await expect.poll(() => page.locator('.session-item').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(screenshots, 'tool-call-1280.png') });
    await page.close();
  });

  it('keeps the conversation and its message ids across a reload and a server restart', async () => {
    const page = await signIn('alice');
    await page.goto(`${server.url}#/s/${aliceSession}`);
    await expect.poll(() => messageTexts(page)).toHaveLength(4);
    const ids = await messageIds(page);
    const stored = await loadUIMessages(server.sessions, { userId: 'alice', sessionId: aliceSession });
    expect(stored.map((message) => message.id)).toEqual(ids);
    await page.reload();
    await expect.poll(() => messageIds(page)).toEqual(ids);

    const port = Number(new URL(server.url).port);
    await server.close();
    server = await start(port);
    await page.reload();
    await expect.poll(() => messageIds(page)).toEqual(ids);
    await send(page, "What's my name?");
    expect((await messageTexts(page)).at(-1)).toBe('Your name is Alice.');
    await page.close();
  });

  it('starts new chats and switches between them from the sidebar, and searches it', async () => {
    const page = await signIn('switcher');
    await newChat(page);
    await send(page, 'First chat about apples');
    const second = await newChat(page);
    expect(await messageTexts(page)).toEqual([]);
    await send(page, 'Second chat about pears');
    await page.locator('.session-item', { hasText: 'First chat about apples' }).click();
    await expect.poll(() => messageTexts(page)).toEqual(['First chat about apples', expect.stringContaining('First chat about apples')]);
    await page.getByLabel('Search conversations').fill('pears');
    await expect.poll(() => page.locator('.session-item .session-title').allTextContents()).toEqual(['Second chat about pears']);
    await page.locator('.session-item', { hasText: 'Second chat about pears' }).click();
    await expect.poll(() => sessionIdOf(page)).toBe(second);
    await page.close();
  });

  it('forks from a message: the fork holds the messages up to it, and both branches go on', async () => {
    const page = await signIn('alice');
    await page.goto(`${server.url}#/s/${aliceSession}`);
    await expect.poll(() => messageTexts(page)).toHaveLength(6);
    const second = page.locator('.messages .message').nth(1);
    await second.hover();
    await second.getByRole('button', { name: 'Message actions' }).click();
    await second.getByRole('button', { name: 'Fork from here' }).click();
    await expect.poll(async () => (await sessionIdOf(page)) !== aliceSession).toBe(true);
    await expect.poll(() => messageTexts(page)).toEqual(['My name is Alice', "Nice to meet you, Alice! I'll remember that."]);
    await expect.poll(() => page.locator('#conversation-title').textContent()).toContain('(fork)');
    await send(page, 'My name is Bob');
    await send(page, "What's my name?");
    expect((await messageTexts(page)).at(-1)).toBe('Your name is Bob.');
    await page.goto(`${server.url}#/s/${aliceSession}`);
    await expect.poll(() => messageTexts(page)).toHaveLength(6);
    expect((await messageTexts(page)).at(-1)).toBe('Your name is Alice.');
    await page.close();
  });

  it('stops a reply: what was written so far is kept, also after a reload', async () => {
    const { page, sessionId, full } = await startLongReply('stopper');
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => sendButton(page).isVisible()).toBe(true);
    const key = { userId: 'stopper', sessionId };
    await expect.poll(async () => (await loadUIMessages(server.sessions, key)).length, { timeout: 10_000 }).toBe(2);
    await page.reload();
    await expect.poll(() => messageTexts(page)).toHaveLength(2);
    const kept = (await messageTexts(page))[1]!;
    expect(full.startsWith(kept.trimEnd())).toBe(true);
    expect(kept.length).toBeLessThan(full.length);
    await page.close();
  });

  it('reattaches to a reply in flight after a reload (useChat resume)', async () => {
    // About five seconds of reply, so the reload lands well inside it.
    const { page, sessionId, question, full } = await startLongReply('reloader', 120);
    const resumed = page.waitForResponse((response) => response.url().endsWith(`/api/chat/${sessionId}/stream`));
    await page.reload();
    // useChat({ resume: true }) asked for the reply in flight and got it (204 would mean nothing to resume).
    expect((await resumed).status()).toBe(200);
    // The reloaded page shows the reply growing again (GET /api/chat/:id/stream) and then complete.
    await expect.poll(() => messageTexts(page), { timeout: 20_000 }).toEqual([question, full]);
    // The last words can show before the reply is stored, so wait for the store.
    await expect.poll(async () => (await loadUIMessages(server.sessions, { userId: 'reloader', sessionId })).length).toBe(2);
    const stored = await loadUIMessages(server.sessions, { userId: 'reloader', sessionId });
    expect(await messageIds(page)).toEqual(stored.map((message) => message.id));
    await page.close();
  });

  it('opens a long conversation at its newest message with the composer on screen, at 1280×800 and 390×844', async () => {
    const key = { userId: 'longreader', sessionId: 'sess_long_conversation' };
    const messages = Array.from({ length: 60 }, (_, i) => [
      { id: `msg_q${i}`, role: 'user' as const, parts: [{ type: 'text' as const, text: `Question number ${i}: ${'how does this work? '.repeat(3)}` }] },
      {
        id: `msg_a${i}`,
        role: 'assistant' as const,
        parts: [{ type: 'text' as const, text: `Answer number ${i}. ${'It keeps every message in the store. '.repeat(4)}` }],
      },
    ]).flat();
    await saveUIMessages(server.sessions, key, messages);
    await server.sessions.update(key, { title: 'A long conversation' });
    for (const [name, viewport] of [
      ['1280', DESKTOP],
      ['390', PHONE],
    ] as const) {
      const page = await signIn('longreader', viewport);
      await page.goto(`${server.url}#/s/${key.sessionId}`);
      await expect.poll(() => page.locator('.messages .message').count()).toBeGreaterThanOrEqual(120);
      await expect.poll(() => onScreen(page, '.messages .message')).toBe(true);
      expect(await page.locator('.messages .message').last().textContent()).toMatch(name === '1280' ? /Answer number 59\./ : /You said: "One more question"/);
      expect(await onScreen(page, '#message')).toBe(true);
      expect(await onScreen(page, '.topbar')).toBe(true);
      // The page itself does not scroll: only the list does.
      expect(await page.evaluate(() => document.scrollingElement!.scrollHeight <= window.innerHeight + 1)).toBe(true);
      if (name === '1280') {
        // Scrolled up to read, the view stays put; "Newest" and a sent message bring it back down.
        await page.locator('.message-scroller').evaluate((element) => (element.scrollTop = 0));
        await expect.poll(() => page.getByRole('button', { name: '↓ Newest' }).isVisible()).toBe(true);
        expect(await onScreen(page, '.messages .message')).toBe(false);
        await page.getByRole('button', { name: '↓ Newest' }).click();
        await expect.poll(() => onScreen(page, '.messages .message')).toBe(true);
        await page.locator('.message-scroller').evaluate((element) => (element.scrollTop = 0));
        await expect.poll(() => page.getByRole('button', { name: '↓ Newest' }).isVisible()).toBe(true);
      }
      await send(page, 'One more question');
      expect(await onScreen(page, '.messages .message')).toBe(true);
      expect(await onScreen(page, '#message')).toBe(true);
      await page.screenshot({ path: join(screenshots, `long-conversation-${name}.png`) });
      if (name === '390') {
        // On a phone the conversation comes first; the list is one tap away.
        expect(await page.locator('.sidebar').isVisible()).toBe(false);
        await page.getByRole('button', { name: 'Show conversations' }).click();
        await expect.poll(() => page.getByRole('button', { name: 'New chat', exact: true }).isVisible()).toBe(true);
        // The drawer slides in: wait until it is fully open.
        await expect.poll(() => page.locator('.sidebar').evaluate((element) => element.getBoundingClientRect().left)).toBe(0);
        await page.screenshot({ path: join(screenshots, 'conversations-drawer-390.png') });
      }
      await page.close();
    }
  });

  it('refuses an over-long paste with its own message and keeps the text in the box', async () => {
    const page = await signIn('paster');
    await newChat(page);
    const pasted = 'x'.repeat(9_000);
    await composer(page).fill(pasted);
    await composer(page).press('Enter');
    await expect.poll(() => page.getByRole('alert').first().textContent()).toMatch(/This message has 9,000 characters; a message is at most 8,000/);
    expect(await composer(page).inputValue()).toHaveLength(9_000);
    expect(await messageTexts(page)).toEqual([]);
    await page.close();
  });

  it('keeps the conversation on screen when the server goes away, and carries on when it is back', async () => {
    const page = await signIn('alice');
    await page.goto(`${server.url}#/s/${aliceSession}`);
    await expect.poll(() => messageTexts(page)).toHaveLength(6);
    const port = Number(new URL(server.url).port);
    await server.close();
    await composer(page).fill('Are you there?');
    await composer(page).press('Enter');
    await expect.poll(() => page.locator('.notice.error').textContent()).toMatch(/Cannot reach the server/);
    expect(await messageTexts(page)).toEqual([...(await messageTexts(page)).slice(0, 6), 'Are you there?'].slice(0, 7));
    expect((await messageTexts(page)).slice(0, 6)).toHaveLength(6);
    await page.screenshot({ path: join(screenshots, 'server-gone-1280.png') });
    server = await start(port);
    await page.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => messageTexts(page), { timeout: 20_000 }).toHaveLength(8);
    expect((await messageTexts(page)).at(-2)).toBe('Are you there?');
    // The list came back by itself too.
    await expect.poll(() => page.locator('.session-item .session-title').allTextContents()).toContain('My name is Alice');
    await page.reload();
    await expect.poll(() => messageTexts(page)).toHaveLength(8);
    await page.close();
  });

  it("shows another user nothing of alice's, even with her conversation's id in the address", async () => {
    const page = await signIn('mallory');
    await page.goto(`${server.url}#/s/${aliceSession}`);
    await expect.poll(() => page.locator('.empty-state[role="alert"]').textContent()).toMatch(/does not exist for this user/);
    expect(await page.locator('.session-item').count()).toBe(0);
    expect(await page.content()).not.toContain('Alice');
    await page.close();
  });

  it('renames, archives, exports, imports and deletes from the conversation menu', async () => {
    const page = await signIn('organiser');
    await newChat(page);
    await send(page, 'Notes about the garden');
    const menu = () => page.getByRole('button', { name: 'Conversation actions' }).click();
    await menu();
    await page.getByRole('button', { name: 'Rename…' }).click();
    await page.getByLabel('Title').fill('Garden plans');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('#conversation-title').textContent()).toBe('Garden plans');
    await expect.poll(() => page.locator('.session-item.current .session-title').textContent()).toBe('Garden plans');

    await menu();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export to a file' }).click()]);
    const file = join(dataDir, 'garden.json');
    await download.saveAs(file);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ format: 'sessions.export' });

    await menu();
    await page.getByRole('button', { name: 'Archive' }).click();
    await expect.poll(() => page.locator('.session-item .session-title').allTextContents()).not.toContain('Garden plans');
    await page.getByLabel('Show archived').check();
    await expect.poll(() => page.locator('.session-item .session-title').allTextContents()).toContain('Garden plans');

    const original = await sessionIdOf(page);
    await page.getByLabel('Import file').setInputFiles(file);
    await expect.poll(async () => (await sessionIdOf(page)) !== original).toBe(true);
    await expect.poll(() => page.locator('#conversation-title').textContent()).toBe('Garden plans');
    const imported = await sessionIdOf(page);
    await expect.poll(() => messageTexts(page)).toHaveLength(2);

    await menu();
    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => sessionIdOf(page)).toBe('');
    expect(await server.sessions.get({ userId: 'organiser', sessionId: imported })).toBeNull();
    await page.close();
  });

  it('names every control, reaches the composer by keyboard, and reads well in dark mode on a phone', async () => {
    const page = await signIn('alice', PHONE);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${server.url}#/s/${aliceSession}`);
    await expect.poll(async () => (await messageTexts(page)).length).toBeGreaterThanOrEqual(4);
    const before = (await messageTexts(page)).length;
    const unnamed = await page.evaluate(() =>
      [...document.querySelectorAll('button, input, textarea, a[href]')]
        .filter((element) => element.checkVisibility({ visibilityProperty: true }))
        .filter(
          (element) =>
            !(
              element.getAttribute('aria-label') ||
              element.textContent?.trim() ||
              element.closest('label') ||
              (element.id && document.querySelector(`label[for="${element.id}"]`))
            ),
        )
        .map((element) => element.outerHTML.slice(0, 80)),
    );
    expect(unnamed).toEqual([]);
    // The header comes first in the tab order, then the conversation and the composer.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Show conversations');
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.id === 'message');
    }
    expect(reached).toBe(true);
    await page.keyboard.type("What's my name?");
    await page.keyboard.press('Enter');
    await expect.poll(() => messageTexts(page), { timeout: 20_000 }).toHaveLength(before + 2);
    await expect.poll(() => sendButton(page).isVisible(), { timeout: 20_000 }).toBe(true);
    await page.screenshot({ path: join(screenshots, 'dark-390.png') });
    await page.setViewportSize(DESKTOP);
    await page.screenshot({ path: join(screenshots, 'dark-1280.png') });
    await page.close();
  });
});
