import { MemoryEngine } from '@sessions/core';
import { runConformance } from '../src/index.js';

runConformance({
  name: 'memory',
  create: () => new MemoryEngine(),
  // A second engine on the same in-process store, as a second app server on one database.
  reopen: (engine) => new MemoryEngine({ store: (engine as MemoryEngine).sharedStore }),
});
