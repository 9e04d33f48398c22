import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

/** The request body as text, refusing one over `limitBytes` (413) or one that is not valid UTF-8 (400). */
export async function readText(request: IncomingMessage, limitBytes: number): Promise<string> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limitBytes) throw new HttpError(413, 'TOO_LARGE', `The request is larger than ${formatBytes(limitBytes)}.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) throw new HttpError(413, 'TOO_LARGE', `The request is larger than ${formatBytes(limitBytes)}.`);
    chunks.push(chunk);
  }
  try {
    // Fatal: a byte that is not UTF-8 would otherwise become U+FFFD and be stored as if the sender had written it.
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new HttpError(400, 'BAD_ENCODING', 'The request body is not valid UTF-8.');
  }
}

/** Reads a JSON body, refusing anything over `limitBytes` before buffering it. */
export async function readJson(request: IncomingMessage, limitBytes: number): Promise<unknown> {
  const text = await readText(request, limitBytes);
  if (text.length === 0) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'BAD_JSON', 'The request body is not valid JSON.');
  }
}

export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MB` : `${Math.round(bytes / 1024)} KB`;
}
