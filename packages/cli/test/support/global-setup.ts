import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The child-process specs run the built bin, so build it first (a no-op when up to date). */
export default function setup(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  execFileSync(process.execPath, [fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url)), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
}
