import { randomBytes } from 'node:crypto';

/** The owner record, inside the fence folder of a lock. */
export const OWNER_FILE = 'owner.json';
/** Suffix of a lock folder a waiter prepared (`<lock>.<token>.new`), renamed into place when it gets the lock. */
export const PREPARED_SUFFIX = '.new';

/** Where a waiter prepares the lock folder it renames into place. */
export function preparedName(file: string, token: string): string {
  return `${file}.${token}${PREPARED_SUFFIX}`;
}

/** The token of a prepared lock folder, from its name. */
export function preparedToken(path: string): string {
  return path.slice(path.lastIndexOf('.', path.length - PREPARED_SUFFIX.length - 1) + 1, -PREPARED_SUFFIX.length);
}

/** Where a lock (or its fence) is moved aside before it is removed. */
export function asideName(file: string): string {
  return `${file}.${randomBytes(6).toString('hex')}.stale`;
}

/** A rename onto a lock folder (not empty) or an old-format lock file. */
export function isTaken(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'EEXIST' || code === 'ENOTEMPTY' || code === 'ENOTDIR' || (process.platform === 'win32' && (code === 'EPERM' || code === 'EACCES'));
}
