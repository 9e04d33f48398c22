import type { Command } from './command.js';
import { COMMANDS } from './commands/index.js';

const STORE_URLS = `Store URLs (as createEngine takes them):
  sqlite:./sessions.db   jsonl:./data   memory:
  postgres://user:pass@host:5432/db   mysql://user:pass@host:3306/db   redis://host:6379
  Passwords are never printed; the adapter package for a URL must be installed.`;

const GLOBAL_HELP = `Options for every command:
  --json                  machine-readable output on stdout (errors as JSON on stderr)
  -q, --quiet             no progress and no summary on stderr
  --progress <mode>       auto (default: bar on a terminal, lines otherwise), bar, lines, none
  --connect-timeout <d>   give up connecting after this long (default 15s)
  -y, --yes               do not ask before deleting
  -h, --help              help for the command`;

const EXIT_HELP = `Exit codes:
  0 ok · 1 operational error · 2 usage error or bad URL · 3 invalid input (nothing written)
  4 not found · 5 adapter not installed · 6 cannot connect · 7 schema too old or too new
  8 conflict with existing data · 130 interrupted (rerun to resume)`;

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  const list = COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n');
  return `sessions: inspect, migrate, export/import, prune and check @sessions stores

Usage: sessions <command> [arguments] [options]

Commands:
${list}

${STORE_URLS}

${GLOBAL_HELP}

${EXIT_HELP}

Example: copy a laptop's SQLite store into PostgreSQL (rerun to resume):
  sessions migrate sqlite:./sessions.db postgres://app@db.internal/app

Run \`sessions help <command>\` for a command's options.
`;
}

export function commandHelp(command: Command): string {
  return `Usage: ${command.usage}

${command.summary}

${command.help.trim()}

${GLOBAL_HELP}

${EXIT_HELP}
`;
}

/** The closest command name, for "did you mean". */
export function suggestCommand(name: string): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const command of COMMANDS) {
    const distance = editDistance(name.toLowerCase(), command.name);
    if (distance <= 2 && (!best || distance < best.distance)) best = { name: command.name, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
