import { describe, expect, it } from 'vitest';
import { StorageError } from '@sessions/core';
import { MysqlEngine } from '../src/index.js';
import { randomName, SERVER_URL } from './support/database.js';

/** SERVER_URL with its user, password or database replaced. */
function serverUrl(change: { password?: string; database?: string }): string {
  const url = new URL(SERVER_URL);
  if (change.password !== undefined) url.password = change.password;
  if (change.database !== undefined) url.pathname = `/${change.database}`;
  return url.href;
}

async function setupError(uri: string): Promise<StorageError> {
  const engine = new MysqlEngine({ uri, poolOptions: { connectTimeout: 5_000 } });
  try {
    const error = await engine.setup().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StorageError);
    return error as StorageError;
  } finally {
    await engine.close();
  }
}

describe('StorageError.kind from the MySQL server', () => {
  it('is auth when the server refuses the password', async () => {
    const error = await setupError(serverUrl({ password: 'not-the-password' }));
    expect(error.kind).toBe('auth');
  });

  it('is missing when the database does not exist', async () => {
    const error = await setupError(serverUrl({ database: randomName('sessions_absent_') }));
    expect(error.kind).toBe('missing');
  });
});
