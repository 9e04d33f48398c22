// Runs a compiled README block in a directory of its own (so `sqlite:./sessions.db` or `jsonl:./data` land there),
// with the fakes loaded first.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const fakes = new URL('./fakes.mjs', import.meta.url).href;

/** @returns {string | undefined} why the run failed, or undefined when it exited 0 */
export function runBlock(javascriptFile) {
  const cwd = mkdtempSync(join(tmpdir(), 'sessions-readme-run-'));
  try {
    const result = spawnSync(process.execPath, ['--import', fakes, javascriptFile], { cwd, encoding: 'utf8', timeout: 60_000 });
    if (result.error) return result.error.message;
    if (result.status === 0) return undefined;
    return `exited with ${result.status ?? result.signal}:\n${`${result.stdout}${result.stderr}`.trim().replace(/^/gm, '    ')}`;
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}
