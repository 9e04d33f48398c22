import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./fixtures/worker.mjs', import.meta.url));
const STALLING_WRITER = fileURLToPath(new URL('./fixtures/stalling-writer.mjs', import.meta.url));

export interface WorkerProcess {
  readonly pid: number;
  /** Resolves once the worker printed `line`. */
  waitFor(line: string, timeoutMs: number): Promise<void>;
  /** Resolves with how the worker ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  kill(signal: NodeJS.Signals): void;
  /** What it printed so far, line by line. */
  lines(): string[];
}

/** Starts `test/fixtures/worker.mjs` (which imports the built `dist`) in its own OS process. */
export function startWorker(mode: string, options: object): WorkerProcess {
  return startScript(WORKER, [mode, JSON.stringify(options)]);
}

/** Starts `test/fixtures/stalling-writer.mjs`: a writer that can stop itself at one point of a write. */
export function startStallingWriter(options: object): WorkerProcess {
  return startScript(STALLING_WRITER, [JSON.stringify(options)]);
}

function startScript(script: string, args: string[]): WorkerProcess {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ line: string; resolve: () => void }> = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const waiter of waiters) if (stdout.split('\n').includes(waiter.line)) waiter.resolve();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return {
    pid: child.pid!,
    exited,
    kill: (signal) => child.kill(signal),
    lines: () => stdout.split('\n').filter(Boolean),
    waitFor: (line, timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        if (stdout.split('\n').includes(line)) return resolve();
        const timer = setTimeout(() => reject(new Error(`worker did not print ${JSON.stringify(line)} within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
        waiters.push({ line, resolve: () => (clearTimeout(timer), resolve()) });
        void exited.then(({ code, signal }) =>
          reject(new Error(`worker exited (${code ?? signal}) before printing ${JSON.stringify(line)}; stderr: ${stderr}`)),
        );
      }),
  };
}
