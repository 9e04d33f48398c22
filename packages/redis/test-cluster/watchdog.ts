import { spawn } from 'node:child_process';

/**
 * Runs in a detached process of its own: every half second it checks the test process, and
 * once that is gone (killed, crashed, timed out) it SIGKILLs the servers and removes their
 * folder. It exits by itself when the servers are gone.
 */
const WATCHDOG = `
const { rmSync } = require('node:fs');
const [parent, dir, ...pids] = process.argv.slice(1).map((value, i) => (i === 1 ? value : Number(value)));
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (error) { return error.code === 'EPERM'; } };
setInterval(() => {
  const running = pids.filter(alive);
  if (running.length > 0 && alive(parent)) return;
  for (const pid of running) { try { process.kill(pid, 'SIGKILL'); } catch {} }
  if (dir) rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}, 500);
`;

/**
 * Makes sure servers this test process started die with it, even when it is SIGKILLed and
 * never reaches its `afterAll` or 'exit' handlers (the servers would otherwise outlive it,
 * holding ports and memory). `dir` (may be '') is removed with them.
 */
export function killWithThisProcess(pids: readonly number[], dir = ''): void {
  const watchdog = spawn(process.execPath, ['-e', WATCHDOG, String(process.pid), dir, ...pids.map(String)], { detached: true, stdio: 'ignore' });
  watchdog.unref();
}
