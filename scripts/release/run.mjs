import { execFileSync } from 'node:child_process';

/** Runs a command, its output shown as it comes; throws (with the command in the message) when it fails. */
export function run(command, args, options = {}) {
  try {
    execFileSync(command, args, { stdio: 'inherit', ...options });
  } catch (error) {
    throw new Error(`\`${[command, ...args].join(' ')}\` failed in ${options.cwd ?? process.cwd()} (exit ${error.status ?? error.signal})`, { cause: error });
  }
}

/** Runs a command and returns what it printed on stdout. */
export function capture(command, args, options = {}) {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...options });
}

/** Prints one step's name, runs it, and prints how long it took. */
export async function step(name, action) {
  const started = Date.now();
  console.log(`\nrelease:check: ${name}`);
  const result = await action();
  console.log(`release:check: ${name}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

/** Runs pnpm: the one running this script (npm_execpath) when there is one, so that no global install is needed. */
export function pnpm(args, options = {}) {
  const execPath = process.env.npm_execpath;
  if (execPath && /pnpm\.c?js$/.test(execPath)) return run(process.execPath, [execPath, ...args], options);
  return run('pnpm', args, options);
}
