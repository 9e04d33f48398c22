/** A URL's scheme with its colon (`sqlite:`, `postgres:`, `git+ssh:`), spelled as RFC 3986 allows. */
export const URL_SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** The lower-cased scheme of a URL (`sqlite:`), or undefined when it has none. */
export function urlScheme(url: string): string | undefined {
  return URL_SCHEME.exec(url)?.[0].toLowerCase();
}
