/**
 * Exit codes scripts can rely on. They never change meaning between versions.
 *
 * | code | meaning |
 * | --- | --- |
 * | 0 | success |
 * | 1 | operational error: the store failed mid-way, a check found a problem, verification failed |
 * | 2 | usage error: unknown command or option, missing or malformed argument, bad URL |
 * | 3 | invalid input: a filter, an id or an import line failed validation (nothing was written) |
 * | 4 | not found: the session, the store or the file to import does not exist |
 * | 5 | adapter not installed: the URL needs a package that is missing |
 * | 6 | cannot connect: the server is unreachable, refused the login, or the file cannot be opened |
 * | 7 | schema mismatch: the store's schema is too old or too new for this version |
 * | 8 | conflict: a session already exists in the target and differs from the source |
 * | 130 | interrupted (Ctrl-C); a rerun resumes |
 */
export const EXIT = Object.freeze({
  ok: 0,
  failure: 1,
  usage: 2,
  invalidInput: 3,
  notFound: 4,
  adapterNotInstalled: 5,
  cannotConnect: 6,
  schemaMismatch: 7,
  conflict: 8,
  interrupted: 130,
} as const);

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
