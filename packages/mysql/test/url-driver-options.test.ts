import { describe, expect, it } from 'vitest';
import { ValidationError } from '@sessions/core';
import { secretExposures, URL_SECRET } from '@sessions/core/testing';
import { fromUrl, MysqlEngine } from '../src/index.js';
import { randomName, useTestDatabase } from './support/database.js';

const database = await useTestDatabase('url_options');

function withQuery(query: string): string {
  const url = new URL(database.url);
  url.search = query;
  return url.toString();
}

async function setupError(engine: MysqlEngine): Promise<unknown> {
  try {
    await engine.setup({ signal: AbortSignal.timeout(20_000) });
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await engine.close();
  }
}

describe('credentials in the query string', () => {
  it('uses ?password= (mysql2 would drop it and connect without one)', async () => {
    const error = await setupError(fromUrl(withQuery(`password=${URL_SECRET}&tablePrefix=${randomName('pw')}_`)));
    expect(String(error)).toMatch(/Access denied/);
    expect(secretExposures(error, URL_SECRET)).toEqual([]);
  });

  it('uses ?user= when the URL names none', async () => {
    const url = new URL(withQuery('user=nobody_here'));
    url.username = '';
    const error = await setupError(fromUrl(url.toString()));
    expect(String(error)).toMatch(/Access denied for user 'nobody_here'/);
  });

  it('refuses a credential parameter mysql2 has no option for (it would warn and connect without it), naming it and never its value', () => {
    for (const name of ['pass', 'pwd', 'token', 'client_secret', 'sslpassword', 'api_key']) {
      let error: unknown;
      try {
        fromUrl(withQuery(`${name}=${URL_SECRET}`));
      } catch (caught) {
        error = caught;
      }
      expect(error, name).toBeInstanceOf(ValidationError);
      expect((error as Error).message, name).toContain(`?${name}=`);
      expect(secretExposures(error, URL_SECRET), name).toEqual([]);
    }
  });

  it('refuses a password given both in the URL and as ?password=', () => {
    const url = new URL(withQuery(`password=${URL_SECRET}`));
    url.password = 'other';
    expect(() => fromUrl(url.toString())).toThrow(/password.*twice/);
  });

  it('refuses ?host=, ?port= and ?database=, which mysql2 ignores', () => {
    for (const name of ['host', 'port', 'database']) {
      expect(() => fromUrl(withQuery(`${name}=x`))).toThrow(new RegExp(`\\b${name}\\b`));
    }
  });
});

describe('driver options that break the adapter', () => {
  for (const [name, value] of [
    ['typeCast', 'false'],
    ['rowsAsArray', 'true'],
    ['nestTables', 'true'],
    ['charset', 'latin1'],
  ] as const) {
    it(`refuses ?${name}=${value} by name when the engine is created`, () => {
      let caught: unknown;
      try {
        fromUrl(withQuery(`${name}=${value}`));
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ValidationError);
      expect((caught as ValidationError).message).toContain(name);
      expect((caught as ValidationError).path).toBe('url');
    });

    it(`refuses poolOptions.${name} by name`, () => {
      const poolValue: unknown = value === 'latin1' ? value : JSON.parse(value);
      expect(() => new MysqlEngine({ uri: database.url, poolOptions: { [name]: poolValue } })).toThrow(new RegExp(`poolOptions\\.${name}`));
    });
  }

  it('accepts the defaults spelled out', async () => {
    const engine = fromUrl(withQuery(`typeCast=true&rowsAsArray=false&charset=utf8mb4_unicode_ci&tablePrefix=${randomName('ok')}_`));
    await engine.setup();
    await engine.close();
  });
});
