import { fileURLToPath } from 'node:url';

export interface ChatConfig {
  readonly host: string;
  readonly port: number;
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
  return {
    host: env['HOST'] ?? '127.0.0.1',
    port: Number(env['PORT'] ?? 3000),
    sessionsUrl: env['SESSIONS_URL'] ?? `sqlite:${appDirectory}data/chat.db`,
    openai: baseURL ? { baseURL, apiKey: env['OPENAI_API_KEY'], model: env['CHAT_MODEL'] ?? 'gpt-4o-mini' } : undefined,
    maxMessageChars: 8_000,
    maxImportBytes: 32 * 1024 * 1024,
  };
}
