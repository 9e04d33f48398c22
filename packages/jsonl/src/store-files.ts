import type { Layout } from './layout.js';
import type { LeaseFiles } from './lease-files.js';
import type { MessageLog } from './message-log.js';
import type { SessionFiles } from './session-files.js';
import type { SessionLocks } from './session-locks.js';

/** Everything an operation on the store works through: where files live, each kind of file, and the locks guarding them. */
export interface StoreFiles {
  readonly layout: Layout;
  readonly sessions: SessionFiles;
  readonly log: MessageLog;
  readonly leases: LeaseFiles;
  readonly locks: SessionLocks;
}
