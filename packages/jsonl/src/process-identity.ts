import { readFile } from 'node:fs/promises';
import { readFileSync, readlinkSync } from 'node:fs';

/**
 * When the kernel started process `pid`: field 22 of `/proc/<pid>/stat` (clock ticks since
 * boot), which together with the pid names one process for good, where a pid alone is
 * recycled. Null where `/proc` is missing (macOS, Windows) or the process is gone.
 */
export async function processStartTime(pid: number): Promise<string | null> {
  try {
    return startTimeIn(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** This process's start time, read once. */
export const OWN_START_TIME: string | null = (() => {
  try {
    return startTimeIn(readFileSync(`/proc/${process.pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
})();

/**
 * This process's pid namespace (`/proc/self/ns/pid`, e.g. `pid:[4026531836]`): pids of another
 * namespace (another container on the same host, with the same host name) mean nothing here.
 * Null where `/proc` is missing.
 */
export const OWN_PID_NAMESPACE: string | null = (() => {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return null;
  }
})();

function startTimeIn(stat: string): string | null {
  // The command name (field 2) is in parentheses and may itself hold spaces and parentheses:
  // fields are counted from the last ')', which is followed by field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const value = fields[22 - 3];
  return value !== undefined && /^\d+$/.test(value) ? value : null;
}

/** Whether a process with this pid exists on this host (EPERM: it does, under another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
