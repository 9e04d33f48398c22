import { describe } from 'vitest';
import { appendTests, lockTests, runTests, sessionLifecycleTests, type ConformanceInitializer } from '@sessions/conformance';
import { MysqlEngine } from '../src/index.js';
import { randomName, useTestDatabase } from './support/database.js';

const database = await useTestDatabase('portable');

/*
 * The engine uses two shortcuts where it can: INSERT ... RETURNING to acquire a lease in one
 * statement (MariaDB only; MySQL has no RETURNING) and a stored procedure to append in one round
 * trip (skipped when the user may not create routines). Without them it takes plain statements in
 * short transactions. Here the lease, append (with truncate), run and session lifecycle (expiry
 * on writes) groups of the conformance suite run against that plain path, which is what MySQL and
 * restricted users get.
 */
const plain: ConformanceInitializer = {
  name: 'mysql without RETURNING or the append routine',
  create: () => new MysqlEngine({ uri: database.url, tablePrefix: `${randomName('p')}_`, useReturning: false, appendRoutine: false }),
  destroy: (engine) => database.dropTables((engine as MysqlEngine).tablePrefix),
};

describe('the plain path (no RETURNING, no routine)', () => {
  appendTests(plain);
  lockTests(plain);
  runTests(plain);
  sessionLifecycleTests(plain);
});
