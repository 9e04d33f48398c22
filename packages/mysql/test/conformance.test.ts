import { runConformance } from '@sessions/conformance';
import { MysqlEngine } from '../src/index.js';
import { randomName, rawReader, useTestDatabase } from './support/database.js';

const database = await useTestDatabase('conformance');

runConformance({
  name: 'mysql',
  create: () => new MysqlEngine({ uri: database.url, tablePrefix: randomName('c') + '_' }),
  reopen: (engine) => new MysqlEngine({ uri: database.url, tablePrefix: (engine as MysqlEngine).tablePrefix }),
  destroy: (engine) => database.dropTables((engine as MysqlEngine).tablePrefix),
  raw: (engine) => rawReader(database.pool, (engine as MysqlEngine).tables),
  // 100,000 messages take ~15 s here on two cores; 60,000 keep the group near 10 s.
}, { largeSessionMessages: 60_000 });
