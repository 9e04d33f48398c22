/**
 * One table of connection URLs that try to get a secret printed, for every adapter's tests and
 * the CLI's: each holds {@link URL_SECRET} somewhere a careless parser or redactor would let it
 * through. Server URLs point at 127.0.0.1 port 1, where nothing listens, so no connection
 * succeeds and nothing leaves the machine.
 *
 * @example
 * for (const entry of hostileUrls('postgres:')) {
 *   const error = await errorOpening(entry.url, createEngine)
 *   expect(secretExposures(error, URL_SECRET)).toEqual([])
 * }
 *
 * @module
 */

/** The secret every hostile URL carries. */
export const URL_SECRET = 'S3cret';

export interface HostileUrl {
  /** What the URL tries, for the test's name. */
  readonly description: string;
  readonly url: string;
  /**
   * True when the URL must be refused when the engine is created, with a `ValidationError`
   * (`code` `VALIDATION`, `path` starting with `url`) that names the scheme; false when the
   * engine may be created and fails to connect instead.
   */
  readonly invalid: boolean;
}

export type HostileUrlScheme = 'postgres:' | 'postgresql:' | 'mysql:' | 'mariadb:' | 'redis:' | 'rediss:' | 'sqlite:' | 'jsonl:';

const S = URL_SECRET;

/** The hostile URLs for one scheme. */
export function hostileUrls(scheme: HostileUrlScheme): HostileUrl[] {
  if (scheme === 'sqlite:' || scheme === 'jsonl:') return fileUrls(scheme);
  const db = scheme.startsWith('redis') ? '0' : 'test';
  const at = `${scheme}//`;
  const to = `127.0.0.1:1/${db}`;
  const entry = (description: string, url: string, invalid: boolean): HostileUrl => ({ description, url, invalid });
  return [
    entry('a password, refused connection', `${at}bob:${S}@${to}`, false),
    entry('a scheme in upper case', `${scheme.toUpperCase()}//bob:${S}@${to}`, false),
    entry('a percent-encoded password', `${at}bob:${S}%21%40@${to}`, false),
    entry('?password=', `${at}${to}?password=${S}&user=bob`, false),
    entry('?pass=', `${at}bob@${to}?pass=${S}`, false),
    entry('?token=', `${at}${to}?token=${S}`, false),
    entry('?client_secret=', `${at}${to}?client_secret=${S}`, false),
    entry('?sslpassword= after another parameter', `${at}bob@${to}?connectTimeout=1000&sslpassword=${S}`, false),
    entry('an unencoded @ in the password', `${at}bob:p@ss:${S}@${to}`, false),
    entry('an unencoded / in the password', `${at}bob:ab/${S}@${to}`, true),
    entry('an unencoded # in the password', `${at}bob:ab#${S}@${to}`, true),
    entry('an unencoded ? in the password', `${at}bob:ab?${S}@${to}`, true),
    entry('a # after a numeric password start (parses as host bob, port 12)', `${at}bob:12#${S}@${to}`, true),
    entry('a ? after a numeric password start (parses as host bob, port 12)', `${at}bob:12?${S}@${to}`, true),
    entry('an empty user and a / in the password', `${at}:x/${S}@${to}`, true),
    entry('an unclosed IPv6 host', `${at}bob:${S}@[::1/${db}`, true),
    entry('port 99999', `${at}bob:${S}@127.0.0.1:99999/${db}`, true),
    entry('a malformed %-escape in the password', `${at}bob:${S}%zz@${to}`, true),
  ];
}

function fileUrls(scheme: 'sqlite:' | 'jsonl:'): HostileUrl[] {
  const file = scheme === 'sqlite:' ? 'hostile.db' : 'hostile-data';
  return [
    { description: '?password= with no path', url: `${scheme}?password=${S}`, invalid: true },
    { description: '?token= after a path', url: `${scheme}./${file}?token=${S}`, invalid: true },
    { description: 'a server URL with a password', url: `${scheme}//bob:${S}@example.invalid/${file}`, invalid: true },
    { description: 'an unencoded @ in the password of a server URL', url: `${scheme}//bob:p@ss:${S}@example.invalid/${file}`, invalid: true },
  ];
}

/**
 * Everywhere `secret` shows in `value`: its string form, `message`, `stack`, its JSON, and every
 * own property (enumerable or not, `cause` and `errors` included), recursively. Returns the
 * paths where it was found, so a test can `expect(...).toEqual([])` and see where it leaked.
 */
export function secretExposures(value: unknown, secret: string): string[] {
  const found: string[] = [];
  const seen = new Set<object>();
  const visit = (current: unknown, path: string, depth: number): void => {
    if (typeof current === 'string') {
      if (current.includes(secret)) found.push(path);
      return;
    }
    if (typeof current !== 'object' || current === null || seen.has(current) || depth > 6) return;
    seen.add(current);
    if (current instanceof Error && String(current).includes(secret)) found.push(`String(${path})`);
    let json: string | undefined;
    try {
      json = JSON.stringify(current);
    } catch {
      // Circular structures are still walked below.
    }
    if (json?.includes(secret)) found.push(`JSON.stringify(${path})`);
    for (const key of Object.getOwnPropertyNames(current)) {
      let child: unknown;
      try {
        child = (current as Record<string, unknown>)[key];
      } catch {
        continue;
      }
      visit(child, `${path}.${key}`, depth + 1);
    }
  };
  visit(value, 'error', 0);
  return found;
}

/**
 * What creating an engine from `url` and setting it up throws: the creation's error, else the
 * setup's (within `timeoutMs`), else undefined. The engine is closed either way.
 */
export async function errorOpening(
  url: string,
  create: (url: string) => Promise<{ setup(options?: { signal?: AbortSignal }): Promise<void>; close(): Promise<void> }>,
  timeoutMs = 20_000,
): Promise<unknown> {
  let engine: Awaited<ReturnType<typeof create>>;
  try {
    engine = await create(url);
  } catch (error) {
    return error;
  }
  try {
    await engine.setup({ signal: AbortSignal.timeout(timeoutMs) });
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await engine.close().catch(() => undefined);
  }
}

/** The parts of a test runner `hostileUrlTests` uses (vitest's `it` and `expect` fit). */
export interface HostileUrlTestRunner {
  it(name: string, test: () => Promise<void>, timeoutMs?: number): void;
  expect(value: unknown): {
    toEqual(expected: unknown): void;
    toMatchObject(expected: object): void;
    toContain(expected: string): void;
    not: { toBeUndefined(): void };
  };
}

/**
 * Defines one test per hostile URL of each scheme: creating the engine (`create`, e.g.
 * `createEngine` or the adapter's `fromUrl`) and setting it up fails, and the error shows the
 * secret nowhere; URLs marked `invalid` fail at creation with a `ValidationError` naming the scheme.
 *
 * @example
 * hostileUrlTests({ it, expect }, ['postgres:', 'postgresql:'], async (url) => fromUrl(url))
 */
export function hostileUrlTests(runner: HostileUrlTestRunner, schemes: readonly HostileUrlScheme[], create: Parameters<typeof errorOpening>[1]): void {
  for (const scheme of schemes) {
    for (const entry of hostileUrls(scheme)) {
      runner.it(
        `never shows the secret of a ${scheme} URL with ${entry.description}`,
        async () => {
          const error = await errorOpening(entry.url, create);
          runner.expect(error).not.toBeUndefined();
          runner.expect(secretExposures(error, URL_SECRET)).toEqual([]);
          if (entry.invalid) {
            runner.expect(error).toMatchObject({ name: 'ValidationError', code: 'VALIDATION' });
            runner.expect((error as Error).message).toContain(scheme);
          }
        },
        30_000,
      );
    }
  }
}
