/**
 * The package a failed import could not find: `'pg'` from "Cannot find package 'pg' imported from …" (ESM) or
 * "Cannot find module 'pg'" (CommonJS). Undefined for any other error, and for a file or subpath missing inside a
 * package that is there: that is a broken install, which reinstalling the named package would not explain.
 */
export function missingPackageOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return undefined;
  const specifier = /Cannot find (?:package|module) '([^']+)'/.exec(String((error as Error).message))?.[1];
  return specifier !== undefined && /^(?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(specifier) ? specifier : undefined;
}
