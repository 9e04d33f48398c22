import { fileURLToPath } from 'node:url';
import { redactUrl, ValidationError } from '@sessions/core';
import { JsonlEngine } from './jsonl-engine.js';

/**
 * Builds a `JsonlEngine` from a URL, for `createEngine`:
 * - `jsonl:./data` or `jsonl:data`: a folder relative to the working directory;
 * - `jsonl:/var/lib/sessions`: an absolute folder;
 * - `jsonl:///var/lib/sessions`: the same as a file URL (percent-escapes are decoded).
 *
 * @example
 * const engine = await createEngine('jsonl:./data')
 * await engine.setup()
 */
export function fromUrl(url: string): JsonlEngine {
  if (typeof url !== 'string' || !url.toLowerCase().startsWith('jsonl:')) {
    throw new ValidationError(`expected a URL like "jsonl:./data", got ${JSON.stringify(typeof url === 'string' ? redactUrl(url) : url)}`, { path: 'url' });
  }
  const rest = url.slice('jsonl:'.length);
  let dir: string;
  if (rest.startsWith('//')) {
    try {
      dir = fileURLToPath(`file:${rest}`);
    } catch (error) {
      throw new ValidationError(`${JSON.stringify(url)} is not a valid file URL; write jsonl:/absolute/folder or jsonl:./relative/folder`, { path: 'url', cause: error });
    }
  } else dir = rest;
  if (dir.length === 0) throw new ValidationError('the URL names no folder: write jsonl:./data', { path: 'url' });
  return new JsonlEngine({ dir });
}
