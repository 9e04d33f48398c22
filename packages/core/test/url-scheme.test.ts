import { describe, expect, it } from 'vitest';
import { registerAdapter, ValidationError } from '../src/index.js';
import { urlScheme } from '../src/engine/index.js';

describe('urlScheme', () => {
  it('reads the scheme with its colon, lower-cased, as RFC 3986 spells one', () => {
    expect(urlScheme('PostgreSQL://u@h/db')).toBe('postgresql:');
    expect(urlScheme('sqlite::memory:')).toBe('sqlite:');
    expect(urlScheme('git+ssh.v-2://x')).toBe('git+ssh.v-2:');
  });

  it('finds none where the text does not start with one', () => {
    for (const url of ['', './sessions.db', '1http://x', '//host', ':memory:', ' http://x']) expect(urlScheme(url)).toBeUndefined();
  });

  it('is the shape registerAdapter accepts, lower case and nothing after the colon', () => {
    expect(() => registerAdapter('Custom:', () => ({}) as never)).toThrow(ValidationError);
    expect(() => registerAdapter('custom://', () => ({}) as never)).toThrow(ValidationError);
  });
});
