import { describe, expect, it } from 'vitest';
import { ServerTimeoutError } from '../src/engine/index.js';
import { StorageError, type StorageErrorKind } from '../src/index.js';

function systemError(code: string): Error {
  return Object.assign(new Error(`failed with ${code}`), { code });
}

describe('StorageError.kind', () => {
  it.each<[string, StorageErrorKind]>([
    ['ECONNREFUSED', 'unreachable'],
    ['ENOTFOUND', 'unreachable'],
    ['ECONNRESET', 'unreachable'],
    ['ETIMEDOUT', 'timeout'],
    ['ENOSPC', 'full'],
    ['EACCES', 'permission'],
    ['ENOENT', 'missing'],
  ])('tells %s as %s from the system error code', (code, kind) => {
    expect(new StorageError('pg', 'setup', systemError(code)).kind).toBe(kind);
  });

  it('finds the code in a cause chain and inside an AggregateError (a connect to several addresses)', () => {
    const refused = new AggregateError([systemError('ECONNREFUSED'), systemError('ECONNREFUSED')], 'connect failed');
    expect(new StorageError('pg', 'setup', new Error('outer', { cause: refused })).kind).toBe('unreachable');
  });

  it('is timeout for a server that did not answer in time', () => {
    expect(new StorageError('mysql', 'findMany', new ServerTimeoutError('the server did not answer within 5 ms', 'read')).kind).toBe('timeout');
  });

  it("prefers the adapter's kind to the system code", () => {
    expect(new StorageError('pg', 'setup', systemError('ECONNRESET'), { kind: 'auth' }).kind).toBe('auth');
  });

  it('is unknown when nothing tells', () => {
    expect(new StorageError('pg', 'findMany', new Error('something odd')).kind).toBe('unknown');
    expect(new StorageError('pg', 'findMany', 'a string').kind).toBe('unknown');
    expect(new StorageError('pg', 'findMany', systemError('EWEIRD')).kind).toBe('unknown');
  });
});
