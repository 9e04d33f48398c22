import { describe, it } from 'vitest';
import { describeServer } from '../src/server-address.js';

describe('describeServer (how a server that did not answer is named)', () => {
  it.for<[{ connectionString?: string; pool?: unknown }, string]>([
    [{ connectionString: 'postgres://bob:S3cret@db.internal:6543/app?sslmode=require' }, 'the PostgreSQL server at db.internal:6543'],
    [{ connectionString: 'postgresql://bob:S3cret@db.internal/app?password=S3cret' }, 'the PostgreSQL server at db.internal:5432'],
    [{ connectionString: 'postgres://bob@[::1]:5433/app' }, 'the PostgreSQL server at [::1]:5433'],
    [{ connectionString: 'postgres:///app?host=/var/run/postgresql' }, 'the PostgreSQL server at /var/run/postgresql'],
    [{ connectionString: 'not a url S3cret' }, 'the PostgreSQL server'],
    [{ pool: { options: { host: '10.0.0.7', port: 5433, password: 'S3cret' } } }, 'the PostgreSQL server at 10.0.0.7:5433'],
    [{ pool: { options: { connectionString: 'postgres://u:S3cret@10.0.0.8/app' } } }, 'the PostgreSQL server at 10.0.0.8:5432'],
    [{ pool: {} }, 'the PostgreSQL server'],
  ])('%j → %s, never the password', ([source, expected], { expect }) => {
    expect(describeServer(source)).toBe(expected);
  });
});
