import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));

export interface BinResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface BinOptions {
  input?: string | Buffer;
  /** A file descriptor to use as stdin instead of `input` (as `< file` in a shell). */
  stdinFd?: number;
  /** A file descriptor to use as stdout instead of a pipe (as `> file` in a shell). */
  stdoutFd?: number;
  cwd?: string;
  env?: Record<string, string>;
  /** Path of the bin to run (a copy elsewhere, for install-layout tests). */
  bin?: string;
  /** Called once the child is running, e.g. to kill it midway. */
  onSpawn?(child: ChildProcess): void;
}

/** Runs the built `sessions` bin in a child process, as a user's shell would. */
export function runBin(args: string[], options: BinOptions = {}): Promise<BinResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.bin ?? BIN, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...options.env },
      stdio: [options.stdinFd ?? 'pipe', options.stdoutFd ?? 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.input ?? '');
    options.onSpawn?.(child);
  });
}
