import { connect } from 'node:net';

/** One command as MONITOR printed it. `source` is the client address, or `lua` inside a script. */
export interface MonitoredCommand {
  readonly source: string;
  readonly args: string[];
}

/** Parses a MONITOR line: `<time> [<db> <source>] "ARG" "ARG" ...` with C-style escapes. */
export function parseMonitorLine(line: string): MonitoredCommand | undefined {
  const header = /^\d+\.\d+ \[\d+ ([^\]]+)\] /.exec(line);
  if (!header) return undefined;
  const args: string[] = [];
  let i = header[0].length;
  while (i < line.length) {
    if (line[i] !== '"') {
      i++;
      continue;
    }
    const bytes: number[] = [];
    i++;
    while (i < line.length && line[i] !== '"') {
      if (line[i] === '\\') {
        const next = line[i + 1]!;
        if (next === 'x') {
          bytes.push(parseInt(line.slice(i + 2, i + 4), 16));
          i += 4;
          continue;
        }
        const escapes: Record<string, number> = { n: 10, r: 13, t: 9, a: 7, b: 8, '"': 34, '\\': 92 };
        bytes.push(escapes[next] ?? next.charCodeAt(0));
        i += 2;
        continue;
      }
      bytes.push(line.charCodeAt(i) & 0xff);
      i++;
    }
    i++;
    args.push(new TextDecoder().decode(new Uint8Array(bytes)));
  }
  return { source: header[1]!, args };
}

/**
 * Records every command the server runs while `body` runs. Uses a raw socket (RESP simple
 * strings, one per command) so every argument is decoded exactly, escapes included.
 */
export async function monitorDuring(redisUrl: string, body: () => Promise<void>): Promise<MonitoredCommand[]> {
  const url = new URL(redisUrl);
  const socket = connect(Number(url.port || 6379), url.hostname);
  socket.setEncoding('latin1');
  const commands: MonitoredCommand[] = [];
  let buffer = '';
  let ready!: () => void;
  const started = new Promise<void>((resolve) => (ready = resolve));
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf('\r\n')) !== -1) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (line === '+OK') ready();
      else if (line.startsWith('+')) {
        const command = parseMonitorLine(line.slice(1));
        if (command) commands.push(command);
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  if (url.password) socket.write(`AUTH ${decodeURIComponent(url.password)}\r\n`);
  socket.write('MONITOR\r\n');
  await started;
  try {
    await body();
    // MONITOR lines trail the replies a little.
    await new Promise((resolve) => setTimeout(resolve, 300));
  } finally {
    socket.destroy();
  }
  return commands;
}
