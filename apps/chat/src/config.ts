import { fileURLToPath } from 'node:url';
import { LOOPBACK_HOST_NAMES } from './http/security.js';

export interface ChatConfig {
  readonly host: string;
  readonly port: number;
  /**
   * Host names the server answers to (`name` or `name:port`); a request with any other `Host`
   * header gets 421, which defeats DNS rebinding. Loopback names by default, the specific `HOST`
   * it listens on, and the comma-separated `CHAT_ALLOWED_HOSTS`.
   */
  readonly allowedHostNames: readonly string[];
  /** Where sessions live; any `createEngine` URL. */
  readonly sessionsUrl: string;
  /** An OpenAI-compatible endpoint, or undefined for the offline demo model. */
  readonly openai: { readonly baseURL: string; readonly apiKey: string | undefined; readonly model: string } | undefined;
  readonly maxMessageChars: number;
  /**
   * The largest export file `POST /api/import` reads. Exports are compact JSON, so this is
   * about the text of the conversation: 32 MB holds thousands of ordinary turns. It is read
   * into memory whole, since an import is all or nothing.
   */
  readonly maxImportBytes: number;
}

const appDirectory = fileURLToPath(new URL('..', import.meta.url));

/** Reads the configuration from the environment, with defaults that work on a fresh clone. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ChatConfig {
  const baseURL = env['OPENAI_BASE_URL'] ?? (env['OPENAI_API_KEY'] ? 'https://api.openai.com/v1' : undefined);
  const host = env['HOST'] ?? '127.0.0.1';
  return {
    host,
    allowedHostNames: allowedHostNames(host, env['CHAT_ALLOWED_HOSTS']),
    port: Number(env['PORT'] ?? 3000),
    sessionsUrl: env['SESSIONS_URL'] ?? `sqlite:${appDirectory}data/chat.db`,
    openai: baseURL ? { baseURL, apiKey: env['OPENAI_API_KEY'], model: env['CHAT_MODEL'] ?? 'gpt-4o-mini' } : undefined,
    maxMessageChars: 8_000,
    maxImportBytes: 32 * 1024 * 1024,
  };
}

const WILDCARD_ADDRESSES = new Set(['0.0.0.0', '::', '[::]']);

function allowedHostNames(host: string, listed: string | undefined): string[] {
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const names = [...LOOPBACK_HOST_NAMES, ...(WILDCARD_ADDRESSES.has(host) ? [] : [bracketed]), ...(listed ?? '').split(',')];
  return [...new Set(names.map((name) => name.trim().toLowerCase()).filter((name) => name.length > 0))];
}
