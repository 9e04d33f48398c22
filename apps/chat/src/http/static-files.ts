import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Serves a file from `root`, never from outside it; false when there is no such file. */
export async function serveStatic(root: string, pathname: string, response: ServerResponse): Promise<boolean> {
  let relative: string;
  try {
    relative = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
  } catch {
    return false; // not valid percent-encoding, so it names no file here
  }
  const file = normalize(join(root, relative));
  if (!file.startsWith(root + sep)) return false;
  const type = TYPES[extname(file)];
  if (!type) return false;
  try {
    const body = await readFile(file);
    response.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
    response.end(body);
    return true;
  } catch {
    return false;
  }
}
