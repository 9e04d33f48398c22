import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseCutoff, parseDuration } from '../src/duration.js';
import { toCliError, UsageError } from '../src/errors.js';
import { Progress } from '../src/progress.js';
import { scrub, secretsIn } from '../src/redact.js';
import { AdapterNotInstalledError, SessionNotFoundError, StorageError, ValidationError, type StorageErrorKind } from '@sessions/core';

describe('durations', () => {
  it('reads units from milliseconds to weeks, and sums of them', () => {
    expect(parseDuration('500ms', '--x')).toBe(500);
    expect(parseDuration('45s', '--x')).toBe(45_000);
    expect(parseDuration('90m', '--x')).toBe(5_400_000);
    expect(parseDuration('12h', '--x')).toBe(43_200_000);
    expect(parseDuration('30d', '--x')).toBe(2_592_000_000);
    expect(parseDuration('2w', '--x')).toBe(1_209_600_000);
    expect(parseDuration('1d12h', '--x')).toBe(129_600_000);
  });

  it('rejects anything else as a usage error naming the option', () => {
    for (const bad of ['', '30', 'd', '30 days', '-1d', '1.5h', '3x']) {
      expect(() => parseDuration(bad, '--older-than')).toThrow(/--older-than takes a duration/);
    }
  });

  it('turns --older-than into a cut-off: a duration before now, or a date', () => {
    const now = new Date('2026-03-01T00:00:00.000Z');
    expect(parseCutoff('1d', '--older-than', now).toISOString()).toBe('2026-02-28T00:00:00.000Z');
    expect(parseCutoff('2025-12-31', '--older-than', now).toISOString()).toBe('2025-12-31T00:00:00.000Z');
    expect(parseCutoff('2025-12-31T12:30:00+02:00', '--older-than', now).toISOString()).toBe('2025-12-31T10:30:00.000Z');
    expect(() => parseCutoff('2025-12-31T12:30:00', '--older-than', now)).toThrow(/duration .* or a date/);
  });

  it('refuses a cut-off that would select every session: 0d, now or a future date', () => {
    const now = new Date('2026-03-01T00:00:00.000Z');
    for (const everything of ['0d', '0s', '0ms0h', '2026-03-01', '2026-03-01T00:00:00Z', '2099-01-01']) {
      expect(() => parseCutoff(everything, '--older-than', now), everything).toThrow(UsageError);
      expect(() => parseCutoff(everything, '--older-than', now), everything).toThrow(/every session/);
    }
    expect(parseCutoff('2026-02-28T23:59:59Z', '--older-than', now).toISOString()).toBe('2026-02-28T23:59:59.000Z');
  });

  it('refuses a date that is not in the calendar instead of rolling it over', () => {
    const now = new Date('2026-03-01T00:00:00.000Z');
    for (const bad of ['2025-02-30', '2025-02-29', '2025-13-01', '2025-00-10', '2025-04-31T10:00:00Z']) {
      expect(() => parseCutoff(bad, '--older-than', now), bad).toThrow(/not a date in the calendar/);
    }
    expect(parseCutoff('2024-02-29', '--older-than', now).toISOString()).toBe('2024-02-29T00:00:00.000Z');
  });

  it('refuses a zero duration where zero makes no sense', () => {
    expect(parseDuration('0s', '--x')).toBe(0);
    expect(() => parseDuration('0s', '--connect-timeout', { allowZero: false })).toThrow(/--connect-timeout must be longer than 0/);
  });
});

describe('password redaction', () => {
  it('finds passwords in URL arguments, raw and percent-decoded', () => {
    expect(secretsIn(['ls', 'postgres://app:s3cr%40t@db/app', 'redis://:hunter22@cache:6379'])).toEqual(['s3cr%40t', 'hunter22', 's3cr@t']);
  });

  it('redacts URLs inside text and keeps the punctuation around them', () => {
    expect(scrub('cannot open the store (redis://:pw@h:1/0?token=t0k3n): refused.', [])).toBe('cannot open the store (redis://:***@h:1/0?token=***): refused.');
    expect(scrub('see postgresql://bob:p@ss:word@db/app, then retry', [])).toBe('see postgresql://bob:***@db/app, then retry');
  });

  it('scrubs them from any text, also where a driver quotes them bare', () => {
    const secrets = secretsIn(['postgres://app:s3cr%40t@db/app']);
    expect(scrub('connect postgres://app:s3cr%40t@db/app failed: password "s3cr@t" rejected', secrets)).toBe(
      'connect postgres://app:***@db/app failed: password "***" rejected',
    );
  });

  it('replaces a very short password only where it stands alone', () => {
    const secrets = secretsIn(['mysql://root:ab@h/db']);
    expect(scrub("access denied (using password 'ab') to table tab", secrets)).toBe("access denied (using password '***') to table tab");
  });
});

describe('exit codes of errors', () => {
  it('maps core errors to the documented codes', () => {
    expect(toCliError(new ValidationError('bad', { path: 'where' })).exitCode).toBe(3);
    expect(toCliError(new ValidationError('no scheme', { path: 'url' })).exitCode).toBe(2);
    expect(toCliError(new SessionNotFoundError({ userId: 'u', sessionId: 's' })).exitCode).toBe(4);
    expect(toCliError(new AdapterNotInstalledError('@sessions/sqlite', 'sqlite:x')).exitCode).toBe(5);
    expect(toCliError(new StorageError('pg', 'setup', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).exitCode).toBe(
      6,
    );
    expect(
      toCliError(new StorageError('sqlite', 'setup', new Error("the database's schema is version 9, newer than this @sessions/sqlite understands (1)")))
        .exitCode,
    ).toBe(7);
    expect(toCliError(new StorageError('pg', 'findMany', new Error('deadlock detected'))).exitCode).toBe(1);
    expect(toCliError(new StorageError('pg', 'setup', new Error('anything')), { opening: true }).exitCode).toBe(6);
  });

  it("maps a storage failure by its kind, never by the driver's code or message", () => {
    const withKind = (kind: StorageErrorKind, message = 'whatever the driver said') => new StorageError('x', 'findMany', new Error(message), { kind });
    for (const kind of ['unreachable', 'auth', 'missing', 'timeout', 'permission', 'corrupt'] as const) {
      expect(toCliError(withKind(kind)), kind).toMatchObject({ exitCode: 6, code: 'CANNOT_CONNECT' });
    }
    for (const kind of ['conflict', 'full', 'unknown'] as const) expect(toCliError(withKind(kind)), kind).toMatchObject({ exitCode: 1, code: 'STORAGE' });
    // The kind decides, not text that once looked like a connection failure.
    expect(toCliError(withKind('conflict', 'connection refused, authentication failed')).exitCode).toBe(1);
    expect(toCliError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })).exitCode).toBe(1);
    expect(toCliError(withKind('auth'), { opening: true, url: 'postgres://db/app' }).hint).toMatch(/refused the login/);
    expect(toCliError(withKind('missing'), { opening: true, url: 'postgres://db/app' }).hint).toMatch(/database does not exist/);
    expect(toCliError(withKind('unreachable'), { opening: true, url: 'mysql://db/app' }).hint).toMatch(/nothing answered/);
    expect(toCliError(withKind('missing'), { opening: true, url: 'sqlite:./no/such/dir/x.db' }).hint).toMatch(/file cannot be opened/);
  });

  it('reads the kind by shape, from a StorageError of another copy of core', () => {
    const foreign = Object.assign(new Error('[sessions] [pg] setup failed: password authentication failed'), { code: 'STORAGE', kind: 'auth' });
    expect(toCliError(foreign, { url: 'postgres://db/app' })).toMatchObject({ exitCode: 6, hint: expect.stringMatching(/refused the login/) });
  });
});

describe('progress', () => {
  function capture(isTTY: boolean) {
    const stream = Object.assign(new PassThrough(), { isTTY, columns: 80 });
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
    return { stream, text: () => text };
  }

  it('redraws one line with a bar on a terminal and clears it when done', () => {
    let now = 0;
    const { stream, text } = capture(true);
    const progress = new Progress(stream, { mode: 'bar', label: 'migrate', unit: 'sessions', total: 200, now: () => now });
    progress.update(50, '10 messages');
    now += 10;
    progress.update(60); // throttled: too soon
    now += 200;
    progress.update(100);
    progress.finish();
    const frames = text().split('\r\x1b[2K').filter(Boolean);
    expect(frames).toHaveLength(2);
    expect(frames[0]).toMatch(/^migrate \[#+-+\] {2}25% 50\/200 sessions · 10 messages · 00:00$/);
    expect(frames[1]).toMatch(/50% 100\/200 sessions/);
    expect(text().endsWith('\r\x1b[2K')).toBe(true);
  });

  it('prints a plain line now and then when piped, and a last one at the end', () => {
    let now = 0;
    const { stream, text } = capture(false);
    const progress = new Progress(stream, { mode: 'lines', label: 'export', unit: 'sessions', total: 10, now: () => now, lineIntervalMs: 1_000 });
    progress.update(1);
    now = 1_500;
    progress.update(5);
    now = 1_600;
    progress.update(6);
    now = 2_000;
    progress.update(10);
    progress.finish();
    expect(text()).toBe('export: 5/10 sessions (50%) · 00:01\nexport: 10/10 sessions (100%) · 00:02\n');
  });

  it('stays silent for short work when piped', () => {
    const { stream, text } = capture(false);
    const progress = new Progress(stream, { mode: 'lines', label: 'export', unit: 'sessions', now: () => 0 });
    progress.update(3);
    progress.finish();
    expect(text()).toBe('');
  });
});
