import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const workerScript = fileURLToPath(new URL('./fixtures/worker.mjs', import.meta.url));

/** A worker process (test/fixtures/worker.mjs) and the JSON lines it reports. */
export interface Worker {
  readonly child: ChildProcess;
  /** Resolves with the next JSON line the worker prints. */
  next(): Promise<Record<string, unknown>>;
  /** Writes a line to the worker's stdin. */
  send(line: string): void;
  /** Resolves when the worker exits with code 0; rejects with its stderr otherwise. */
  readonly exited: Promise<void>;
}

export function startWorker(mode: string, args: Record<string, unknown>): Worker {
  const child = spawn(process.execPath, [workerScript, mode, JSON.stringify(args)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout });
  const queued: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  lines.on('line', (line) => {
    const waiter = waiting.shift();
    if (waiter) waiter(line);
    else queued.push(line);
  });
  const exited = new Promise<void>((resolve, reject) => {
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`worker ${mode} exited with ${signal ?? code}: ${stderr}`));
    });
  });
  exited.catch(() => undefined);
  return {
    child,
    exited,
    send: (line) => child.stdin.write(`${line}\n`),
    next: () =>
      new Promise((resolve, reject) => {
        const line = queued.shift();
        if (line !== undefined) return resolve(JSON.parse(line));
        waiting.push((next) => resolve(JSON.parse(next)));
        exited.then(() => reject(new Error(`worker ${mode} exited without reporting`)), reject);
      }),
  };
}
