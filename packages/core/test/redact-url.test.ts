import { describe, expect, it } from 'vitest';
import { AdapterNotInstalledError, createEngine, redactUrl, ValidationError } from '../src/index.js';
import { parseConnectionUrl, urlSecrets } from '../src/engine/index.js';
import { hostileUrls, secretExposures, URL_SECRET, type HostileUrlScheme } from '../src/testing.js';

const SERVER_SCHEMES: HostileUrlScheme[] = ['postgres:', 'postgresql:', 'mysql:', 'mariadb:', 'redis:', 'rediss:'];
const ALL_SCHEMES: HostileUrlScheme[] = [...SERVER_SCHEMES, 'sqlite:', 'jsonl:'];

describe('redactUrl', () => {
  for (const scheme of ALL_SCHEMES) {
    for (const { description, url } of hostileUrls(scheme)) {
      it(`hides the secret of a ${scheme} URL with ${description}`, () => {
        expect(redactUrl(url)).not.toContain(URL_SECRET);
      });
      it(`finds the secret of a ${scheme} URL with ${description}`, () => {
        const secrets = urlSecrets(url);
        let scrubbed = url;
        for (const secret of secrets) scrubbed = scrubbed.split(secret).join('***');
        expect(scrubbed).not.toContain(URL_SECRET);
      });
    }
  }

  it('masks everything before the last @ of the authority, keeping the user name', () => {
    expect(redactUrl('postgresql://bob:p@ss:S3cret@host/db')).toBe('postgresql://bob:***@host/db');
    expect(redactUrl('redis://:x/S3cret@127.0.0.1:1/11')).toBe('redis://:***@127.0.0.1:1/11');
  });

  it('masks credential query parameters and keeps the others', () => {
    expect(redactUrl('postgres://127.0.0.1:1/db?password=S3cret&user=bob')).toBe('postgres://127.0.0.1:1/db?password=***&user=bob');
    expect(redactUrl('mysql://h/db?ssl=true&Pass%77ord=S3cret#x')).toBe('mysql://h/db?ssl=true&Pass%77ord=***');
  });

  it('leaves URLs without secrets alone, and paths with an @ readable', () => {
    for (const url of [
      'postgres://bob@host:5432/db?schema=chat',
      'redis://127.0.0.1:6379/2?prefix=a:',
      'sqlite:./backups@2024/s.db',
      'jsonl:./data',
      'memory:',
    ]) {
      expect(redactUrl(url)).toBe(url);
    }
  });
});

describe('parseConnectionUrl', () => {
  const expectation = { schemes: ['postgres:', 'postgresql:', 'mysql:', 'mariadb:', 'redis:', 'rediss:'], example: 'scheme://user:password@host:port/db' };
  for (const scheme of SERVER_SCHEMES) {
    for (const { description, url, invalid } of hostileUrls(scheme).filter((entry) => entry.invalid)) {
      it(`refuses a ${scheme} URL with ${description}, naming the scheme, not the text, with no cause`, () => {
        let caught: unknown;
        try {
          parseConnectionUrl(url, expectation);
        } catch (error) {
          caught = error;
        }
        expect(invalid).toBe(true);
        expect(caught).toBeInstanceOf(ValidationError);
        expect((caught as ValidationError).message).toContain(scheme);
        expect((caught as ValidationError).cause).toBeUndefined();
        expect(secretExposures(caught, URL_SECRET)).toEqual([]);
      });
    }
  }

  it('says why a URL cannot be parsed', () => {
    const messageOf = (url: string): string => {
      try {
        parseConnectionUrl(url, expectation);
      } catch (error) {
        return (error as Error).message;
      }
      return 'parsed';
    };
    expect(messageOf('postgres://bob:S3cret@127.0.0.1:99999/db')).toMatch(/port 99999 is out of range/);
    expect(messageOf('postgres://bob:S3cret@[::1/db')).toMatch(/no closing \]/);
    expect(messageOf('postgres://bob:ab/S3cret@127.0.0.1:1/db')).toMatch(/\/, \? or # in the user name or password/);
    expect(messageOf('postgres://bob:12#S3cret@127.0.0.1:1/db')).toMatch(/#fragment/);
  });

  it('returns the parsed URL of a good one', () => {
    expect(parseConnectionUrl('postgresql://bob:p@ss@127.0.0.1:5432/db', expectation).password).toBe('p%40ss');
  });
});

describe('errors that quote URLs', () => {
  it('AdapterNotInstalledError hides the password', () => {
    const error = new AdapterNotInstalledError('@sessions/x', `postgres://bob:p@ss:${URL_SECRET}@host/db?token=${URL_SECRET}`);
    expect(secretExposures(error, URL_SECRET)).toEqual([]);
  });

  it('createEngine without a scheme hides the password', async () => {
    const error = await createEngine(`//bob:p@ss:${URL_SECRET}@host/db`).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect(secretExposures(error, URL_SECRET)).toEqual([]);
  });
});

describe('secretExposures', () => {
  it('finds a secret in a cause, in a non-enumerable property and in JSON', () => {
    const inner = new TypeError('Invalid URL');
    Object.defineProperty(inner, 'input', { value: `x://${URL_SECRET}`, enumerable: false });
    const outer = new Error('failed', { cause: inner });
    expect(secretExposures(outer, URL_SECRET)).toEqual(['error.cause.input']);
    expect(secretExposures({ url: URL_SECRET }, URL_SECRET)).toEqual(['JSON.stringify(error)', 'error.url']);
  });
});
