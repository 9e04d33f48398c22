import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SessionManager, ValidationError, type SessionKey } from '@sessions/core';
import { decodeName, encodeName, JsonlEngine } from '../src/index.js';
import { removeDir, tempDir } from './temp-dir.js';

const HOSTILE_IDS = [
  '..',
  '.',
  '../../../etc/passwd',
  '/',
  '/absolute',
  'a/b',
  'a\\b',
  '..\\..\\windows',
  'Chat',
  'chat',
  'CHAT',
  'cHaT',
  'con',
  'CON',
  'nul',
  'a%2fb',
  'a%2Fb',
  'a.b',
  'a b',
  '~',
  'name~hash',
  'ü',
  'u\u0308', // the same letter, decomposed: a different id
  '😀',
  ' ',
  'x'.repeat(255),
  `${'x'.repeat(254)}y`,
  `${'É'.repeat(200)}a`,
  `${'É'.repeat(200)}b`,
  '😀'.repeat(255),
];

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = await Promise.all(entries.map((entry) => (entry.isDirectory() ? walk(join(dir, entry.name)) : Promise.resolve([join(dir, entry.name)]))));
  return files.flat();
}

describe('ids as file names', () => {
  it('encodes injectively, with only lower-case safe characters, and decodes back', () => {
    const names = HOSTILE_IDS.map(encodeName);
    expect(new Set(names).size).toBe(HOSTILE_IDS.length);
    // Distinct even on a case-insensitive file system.
    expect(new Set(names.map((name) => name.toLowerCase())).size).toBe(HOSTILE_IDS.length);
    for (const [i, name] of names.entries()) {
      expect(name).toMatch(/^[a-z0-9_%~-]+$/);
      expect(name.length).toBeLessThanOrEqual(120);
      expect(name).not.toMatch(/^(con|prn|aux|nul|com\d|lpt\d)$/);
      const decoded = decodeName(name);
      if (decoded !== null) expect(decoded).toBe(HOSTILE_IDS[i]);
      else expect(name).toMatch(/~[0-9a-f]{64}$/);
    }
    expect(encodeName('Chat')).toBe('%43hat');
    expect(encodeName('sess_01hzy-ab')).toBe('sess_01hzy-ab');
  });

  describe('in a store', () => {
    let dir: string;
    let engine: JsonlEngine;
    afterEach(async () => {
      await engine.close();
      removeDir(dir);
    });

    it('keeps hostile user and session ids inside the folder, apart from each other', async () => {
      dir = tempDir();
      engine = new JsonlEngine({ dir });
      await engine.setup();
      const manager = new SessionManager({ engine });
      const keys: SessionKey[] = [];
      for (const userId of HOSTILE_IDS.slice(0, 12)) for (const sessionId of HOSTILE_IDS) keys.push({ userId, sessionId });
      for (const key of keys) {
        await manager.create({ ...key, title: `${key.userId} | ${key.sessionId}` });
        await manager.append(key, { role: 'user', content: `${key.userId} | ${key.sessionId}` });
      }
      for (const key of keys) {
        expect((await manager.get(key))!.title).toBe(`${key.userId} | ${key.sessionId}`);
        expect((await manager.messages(key)).map((m) => m.content)).toEqual([`${key.userId} | ${key.sessionId}`]);
      }
      for (const userId of HOSTILE_IDS.slice(0, 12)) {
        const listed = await manager.list({ userId, limit: 1_000 });
        expect(listed.sessions.map((s) => s.sessionId).sort()).toEqual([...HOSTILE_IDS].sort());
      }

      const files = await walk(dir);
      // A session file and a messages file per session (no leases were taken), plus format.json.
      expect(files).toHaveLength(keys.length * 2 + 1);
      expect(new Set(files.map((file) => file.toLowerCase())).size).toBe(files.length);
      for (const file of files) {
        expect(relative(dir, file).startsWith('..')).toBe(false);
        expect(Buffer.byteLength(file.split('/').at(-1)!)).toBeLessThan(255);
      }
      await expect(stat(join(dir, '..', 'etc'))).rejects.toThrow();
      await engine.deleteSession({ userId: 'Chat', sessionId: 'chat' });
      expect(await manager.get({ userId: 'chat', sessionId: 'chat' })).not.toBeNull();
      expect(await manager.get({ userId: 'Chat', sessionId: 'Chat' })).not.toBeNull();
    });

    it('rejects ids the core refuses (control characters, empty, too long) before touching a file', async () => {
      dir = tempDir();
      engine = new JsonlEngine({ dir });
      await engine.setup();
      const manager = new SessionManager({ engine });
      for (const sessionId of ['', 'a\nb', 'tab\there', 'nul\u0000', 'x'.repeat(256)]) {
        await expect(manager.create({ userId: 'u', sessionId })).rejects.toBeInstanceOf(ValidationError);
      }
      expect(await readdir(join(dir, 'users'))).toEqual([]);
    });
  });
});
