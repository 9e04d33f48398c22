import { describe, expect, it } from 'vitest';
import { StorageError } from '@sessions/core';
import { PostgresEngine } from '../src/index.js';
import { POSTGRES_URL, randomSchema } from './support/database.js';

/** POSTGRES_URL with its user or database replaced. */
function serverUrl(change: { user?: string; database?: string }): string {
  const url = new URL(POSTGRES_URL);
  if (change.user !== undefined) url.username = change.user;
  if (change.database !== undefined) url.pathname = `/${change.database}`;
  return url.href;
}

async function setupError(connectionString: string): Promise<StorageError> {
  const engine = new PostgresEngine({ connectionString, schema: randomSchema('kind') });
  try {
    const error = await engine.setup().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StorageError);
    return error as StorageError;
  } finally {
    await engine.close();
  }
}

describe('StorageError.kind from the PostgreSQL server', () => {
  // The test server trusts loopback logins, so a role that does not exist is the refused login.
  it('is auth when the server refuses the login', async () => {
    const error = await setupError(serverUrl({ user: 'sessions_no_such_role' }));
    expect(error.kind).toBe('auth');
  });

  it('is missing when the database does not exist', async () => {
    const error = await setupError(serverUrl({ database: randomSchema('absent') }));
    expect(error.kind).toBe('missing');
  });
});
