import { registerAdapter, type AdapterModule } from '@sessions/core';
import { ADAPTER_PACKAGES, urlScheme } from '@sessions/core/engine';
import { CliError } from './errors.js';
import { EXIT } from './exit-codes.js';

export { ADAPTER_PACKAGES };

/** The lower-cased scheme of a URL (`sqlite:`), or undefined when it has none. */
export function schemeOf(url: string): string | undefined {
  return urlScheme(url);
}

const preloaded = new Set<string>();

/**
 * Makes the adapter for `url` resolvable from the CLI's own install. `createEngine` looks for
 * adapters next to `@sessions/core` and in the working directory; a globally installed CLI
 * has its adapters next to itself, so it registers them with core before creating engines.
 * A missing package is left for `createEngine` to report as `AdapterNotInstalledError`.
 */
export async function preloadAdapter(url: string): Promise<void> {
  const scheme = schemeOf(url);
  const packageName = scheme === undefined ? undefined : ADAPTER_PACKAGES[scheme];
  if (scheme === undefined || packageName === undefined || preloaded.has(scheme)) return;
  let adapter: AdapterModule;
  try {
    adapter = (await import(packageName)) as AdapterModule;
  } catch (error) {
    if (isMissingPackage(error, packageName)) return;
    const missing = missingPackageName(error);
    if (missing && (missing.startsWith('/') || missing.startsWith('.') || /^[a-z]:\\/i.test(missing) || missing.startsWith('file:'))) {
      throw new CliError(EXIT.adapterNotInstalled, 'ADAPTER_NOT_INSTALLED', `${packageName} is installed but broken: ${missing} is missing`, {
        hint: `reinstall it (npm install ${packageName}); in this repository, build it with \`pnpm --filter ${packageName} build\``,
        cause: error,
      });
    }
    if (missing) {
      throw new CliError(EXIT.adapterNotInstalled, 'ADAPTER_NOT_INSTALLED', `${packageName} is installed but needs ${missing}, which is missing`, {
        hint: `install it next to ${packageName}: \`npm install ${missing}\` (or pnpm add ${missing})`,
        cause: error,
      });
    }
    throw error;
  }
  if (typeof adapter.fromUrl !== 'function') return;
  for (const [otherScheme, otherPackage] of Object.entries(ADAPTER_PACKAGES)) {
    if (otherPackage !== packageName) continue;
    registerAdapter(otherScheme, () => adapter);
    preloaded.add(otherScheme);
  }
}

function isMissingPackage(error: unknown, packageName: string): boolean {
  const code = (error as { code?: string } | null)?.code;
  // Quoted: "Cannot find package '@sessions/x'". A path that merely contains the name means
  // the package is there but one of its files is not, which is a different problem.
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((error as Error).message).includes(`'${packageName}'`);
}

function missingPackageName(error: unknown): string | undefined {
  const code = (error as { code?: string } | null)?.code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return undefined;
  return /Cannot find (?:package|module) '([^']+)'/.exec(String((error as Error).message))?.[1];
}
