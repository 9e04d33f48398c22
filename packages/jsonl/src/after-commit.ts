import { LockLostError } from './errors.js';

/**
 * Waits for the clean-up after a commit (removing a cleared file, rewriting a truncated one).
 * The change committed while the lock was held; if the lock was taken over since, the new
 * holder cleans up instead (every append cuts what lies past the committed lines), so losing
 * it here must not report the committed change as failed.
 */
export async function afterCommit(cleanUp: Promise<unknown>): Promise<void> {
  try {
    await cleanUp;
  } catch (error) {
    if (!(error instanceof LockLostError)) throw error;
  }
}
