import { fileURLToPath } from 'node:url';
import { redactUrl, ValidationError } from '@sessions/core';
import { describeType } from '@sessions/core/engine';
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
    throw new ValidationError(`expected a URL like "jsonl:./data", got ${typeof url === 'string' ? JSON.stringify(redactUrl(url)) : describeType(url)}`, {
      path: 'url',
    });
  }
  const rest = url.slice('jsonl:'.length);
  // The engine takes no options; a ? would become part of the folder's name, secrets included.
  if (rest.includes('?'))
    throw new ValidationError('a jsonl: URL takes no ?parameters: write jsonl:./folder (a ? in a folder name is %3F in jsonl:///absolute/folder)', {
      path: 'url',
    });
  let dir: string;
  if (rest.startsWith('//')) {
    try {
      dir = fileURLToPath(`file:${rest}`);
    } catch {
      // No cause and no URL in the message: Node's error quotes the URL, and it may hold a password.
      throw new ValidationError(
        'a jsonl:// URL names a folder on this machine (no host, user or password): write jsonl:/absolute/folder or jsonl:./relative/folder',
        { path: 'url' },
      );
    }
  } else dir = rest;
  if (dir.length === 0) throw new ValidationError('the jsonl: URL names no folder: write jsonl:./data', { path: 'url' });
  return new JsonlEngine({ dir });
}
