import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Sent on every response. The page loads only its own script and styles (no inline script, so
 * an injected `<script>` does nothing), cannot be framed (clickjacking), and leaks no address
 * to the sites its links open.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
});

/** Loopback names a browser on this machine uses; anything else needs `CHAT_ALLOWED_HOSTS`. */
export const LOOPBACK_HOST_NAMES: readonly string[] = Object.freeze(['localhost', '127.0.0.1', '[::1]']);

/**
 * The `Host` header values the server answers: each name with the port it listens on (and the
 * bare name on port 80, where browsers omit it). Checking it defeats DNS rebinding: a remote page
 * whose name was re-pointed to 127.0.0.1 reaches the socket, but its requests carry its own name.
 */
export function allowedHostHeaders(names: readonly string[], port: number): ReadonlySet<string> {
  const allowed = new Set<string>();
  for (const raw of names) {
    const name = raw.trim().toLowerCase();
    if (!name) continue;
    if (/:\d+$/.test(name) && !name.endsWith(']')) {
      allowed.add(name); // already host:port
      continue;
    }
    allowed.add(`${name}:${port}`);
    if (port === 80) allowed.add(name);
  }
  return allowed;
}

/** Applies the security headers, then answers 421 when the Host is not ours; true when it answered. */
export function guardRequest(request: IncomingMessage, response: ServerResponse, allowedHosts: ReadonlySet<string>): boolean {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
  const host = (request.headers.host ?? '').toLowerCase();
  if (allowedHosts.has(host)) return false;
  const text = JSON.stringify({
    code: 'MISDIRECTED',
    message: 'This server does not answer to that host name. Open it as http://localhost:<port>/ or add the name to CHAT_ALLOWED_HOSTS.',
  });
  response.writeHead(421, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  response.end(text);
  return true;
}
