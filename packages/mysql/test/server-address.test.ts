import { describe, it } from 'vitest';
import { describeServer } from '../src/server-address.js';

describe('describeServer (how a server that did not answer is named)', () => {
  it.for<[{ uri?: string; pool?: unknown }, string]>([
    [{ uri: 'mysql://bob:S3cret@db.internal:3307/app?ssl={}' }, 'the MySQL server at db.internal:3307'],
    [{ uri: 'mysql://bob:S3cret@db.internal/app?password=S3cret' }, 'the MySQL server at db.internal:3306'],
    [{ uri: 'mysql://bob@localhost/app?socketPath=/run/mysqld/mysqld.sock' }, 'the MySQL server at /run/mysqld/mysqld.sock'],
    [{ uri: 'not a uri S3cret' }, 'the MySQL server'],
    [{ pool: { pool: { config: { connectionConfig: { host: '10.0.0.7', port: 3307, password: 'S3cret' } } } } }, 'the MySQL server at 10.0.0.7:3307'],
    [{ pool: {} }, 'the MySQL server'],
  ])('%j → %s, never the password', ([source, expected], { expect }) => {
    expect(describeServer(source)).toBe(expected);
  });
});
