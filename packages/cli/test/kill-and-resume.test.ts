import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { snapshot } from './support/fixtures.js';
import { runBin } from './support/run-bin.js';
import { seedBulk } from './support/seed-sqlite.js';
import { dropStores, sqliteStore, trackedStore } from './support/test-stores.js';

afterAll(dropStores);

describe('an interrupted migration', () => {
  it('killed with SIGKILL midway, then rerun, leaves an exact copy: nothing lost, nothing duplicated', async () => {
    const [sourceStore, targetStore] = [await trackedStore(sqliteStore), await trackedStore(sqliteStore)];
    const targetPath = targetStore.path;
    await using source = sourceStore.engine();
    await source.setup();
    await seedBulk(source, { sessions: 1_200, messages: 6, long: 6, longMessages: 2_000 });
    const total = await source.count('sessions');

    // The long sessions sort first and go in batches of 20, so the kill lands inside one:
    // the target then holds a prefix of it, which the rerun must complete.
    let copiedAtKill = -1;
    const killed = await runBin(['migrate', sourceStore.url, targetStore.url, '--batch-size', '20', '--concurrency', '2'], {
      onSpawn(child) {
        const poll = setInterval(
          () =>
            void (async () => {
              if (!existsSync(targetPath) || copiedAtKill >= 0) return;
              try {
                await using watcher = targetStore.engine();
                await watcher.setup();
                const copied = await watcher.count('sessions');
                const partial = await watcher.count('sessions', {
                  where: {
                    op: 'and',
                    filters: [
                      { op: 'eq', field: 'userId', value: 'long_user' },
                      { op: 'lt', field: 'messageCount', value: 2_000 },
                    ],
                  },
                });
                if (partial > 0 && copiedAtKill < 0) {
                  copiedAtKill = copied;
                  child.kill('SIGKILL');
                  clearInterval(poll);
                }
              } catch {
                // The child may hold the write lock while creating the schema; look again.
              }
            })(),
          15,
        );
        child.on('close', () => clearInterval(poll));
      },
    });

    expect(killed.signal).toBe('SIGKILL');
    expect(copiedAtKill).toBeGreaterThan(0);
    {
      await using partial = targetStore.engine();
      await partial.setup();
      expect(await partial.count('sessions')).toBeLessThan(total);
    }

    const rerun = await runBin(['migrate', sourceStore.url, targetStore.url, '--batch-size', '20', '--json']);

    expect(rerun.code, rerun.stderr).toBe(0);
    const summary = JSON.parse(rerun.stdout);
    expect(summary.sessions.scanned).toBe(total);
    expect(summary.sessions.resumed).toBeGreaterThanOrEqual(1);
    expect(summary.sessions.skipped).toBeGreaterThanOrEqual(copiedAtKill - 2);
    expect(summary.sessions.skipped + summary.sessions.resumed + summary.sessions.copied).toBe(total);
    expect(summary.verification).toMatchObject({ ok: true, sessions: total, messages: await source.count('messages') });
    await using target = targetStore.engine();
    await target.setup();
    expect(await snapshot(target)).toEqual(await snapshot(source));
  });

  it('stops at a safe point on Ctrl-C (SIGINT) with exit 130 and a hint, and a rerun finishes the copy', async () => {
    const [sourceStore, targetStore] = [await trackedStore(sqliteStore), await trackedStore(sqliteStore)];
    const targetPath = targetStore.path;
    await using source = sourceStore.engine();
    await source.setup();
    await seedBulk(source, { sessions: 1_500, messages: 4 });

    let interrupted = false;
    const first = await runBin(['migrate', sourceStore.url, targetStore.url, '--concurrency', '1'], {
      onSpawn(child) {
        const poll = setInterval(
          () =>
            void (async () => {
              if (!existsSync(targetPath) || interrupted) return;
              try {
                await using watcher = targetStore.engine();
                await watcher.setup();
                if ((await watcher.count('sessions')) >= 50) {
                  interrupted = true;
                  child.kill('SIGINT');
                  clearInterval(poll);
                }
              } catch {
                // The schema may still be in the making; look again.
              }
            })(),
          15,
        );
        child.on('close', () => clearInterval(poll));
      },
    });

    expect(interrupted).toBe(true);
    expect(first.code).toBe(130);
    expect(first.stderr).toMatch(/stopping at the next safe point/);
    expect(first.stderr).toMatch(/interrupted\n {2}hint: rerun the same command to continue where it stopped/);
    const rerun = await runBin(['migrate', sourceStore.url, targetStore.url, '--json']);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(JSON.parse(rerun.stdout).sessions.skipped).toBeGreaterThanOrEqual(50);
    await using target = targetStore.engine();
    await target.setup();
    expect(await snapshot(target)).toEqual(await snapshot(source));
  });
});
