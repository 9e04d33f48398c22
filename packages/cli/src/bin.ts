#!/usr/bin/env node
import { runCli } from './cli.js';
import { EXIT } from './exit-codes.js';

const controller = new AbortController();
let interrupts = 0;
const interrupt = (): void => {
  interrupts++;
  if (interrupts > 1) process.exit(EXIT.interrupted);
  process.stderr.write('\nstopping at the next safe point (press Ctrl-C again to quit at once)\n');
  controller.abort();
};
process.on('SIGINT', interrupt);
process.on('SIGTERM', interrupt);
// A reader that went away (`sessions export ... | head`) is no failure of ours.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(EXIT.ok);
  throw error;
});

const code = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
});
process.exitCode = code;
// Every store was closed; a driver that still holds a timer or socket must not keep us alive.
setTimeout(() => process.exit(code), 500).unref();
