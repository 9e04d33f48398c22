import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import type { Command, CommandContext, GlobalOptions, OptionSpec, OptionValues } from './command.js';
import { COMMANDS } from './commands/index.js';
import { parseDuration } from './duration.js';
import { type CliError, causeChain, toCliError, UsageError } from './errors.js';
import { EXIT } from './exit-codes.js';
import { commandHelp, mainHelp, suggestCommand } from './help.js';
import { isBrokenPipe, write, type CliIo } from './io.js';
import { openStore, type OpenStore } from './open-store.js';
import { Progress, progressMode } from './progress.js';
import { scrub, secretsIn } from './redact.js';

/** Options every command accepts. */
export const GLOBAL_OPTIONS: OptionSpec = Object.freeze({
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  progress: { type: 'string' },
  'connect-timeout': { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  help: { type: 'boolean', short: 'h' },
});

export function cliVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Runs one `sessions` command line and resolves with its exit code; never throws and never
 * calls `process.exit`, so it can run in-process (tests, other tools) as well as from the bin.
 *
 * @example
 * const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
 * const code = await runCli(['ls', 'sqlite:./sessions.db', '--json'], io);
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const secrets = secretsIn(argv);
  const wantsJson = argv.includes('--json');
  try {
    return await dispatch(argv, io, secrets);
  } catch (caught) {
    if (isBrokenPipe(caught)) return EXIT.ok;
    const error = toCliError(caught);
    report(error, io, secrets, wantsJson, argv[0]);
    return error.exitCode;
  }
}

async function dispatch(argv: readonly string[], io: CliIo, secrets: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    // Bare `sessions` is a usage error: help goes to stderr so stdout stays empty for scripts.
    await write(name === undefined ? io.stderr : io.stdout, mainHelp());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === 'help') {
    const topic = rest[0];
    const command = topic === undefined ? undefined : COMMANDS.find((candidate) => candidate.name === topic);
    if (topic !== undefined && !command) throw unknownCommand(topic);
    await write(io.stdout, command ? commandHelp(command) : mainHelp());
    return EXIT.ok;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    await write(io.stdout, `${cliVersion()}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) throw unknownCommand(name);
  const { values, positionals } = parseCommandLine(command, rest);
  if (values['help'] === true) {
    await write(io.stdout, commandHelp(command));
    return EXIT.ok;
  }
  checkPositionals(command, positionals);
  const global = globalOptions(values);
  const stores: OpenStore[] = [];
  const context = makeContext(command, io, values, positionals, global, stores, secrets);
  try {
    return (await command.run(context)) ?? EXIT.ok;
  } finally {
    // Close in reverse order; a failing close must not hide the command's own error.
    for (const store of stores.reverse()) await store.close().catch(() => undefined);
  }
}

function unknownCommand(name: string): UsageError {
  const suggestion = suggestCommand(name);
  return new UsageError(
    `unknown command ${JSON.stringify(name)}${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
    `commands: ${COMMANDS.map((command) => command.name).join(', ')} (run \`sessions help\`)`,
  );
}

function parseCommandLine(command: Command, args: readonly string[]): { values: OptionValues; positionals: string[] } {
  try {
    const parsed = parseArgs({ args: [...args], options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
    return { values: parsed.values as OptionValues, positionals: parsed.positionals };
  } catch (error) {
    const text = String((error as Error).message);
    // Node's own wording for `--older-than -5d` spans three lines and suggests a syntax that
    // still fails; say in one line what happened and how a dash value is written.
    const ambiguous = /^Option '([^']+)' argument is ambiguous/.exec(text);
    if (ambiguous) {
      const option = ambiguous[1]!;
      const index = args.indexOf(option);
      const value = index >= 0 ? args[index + 1] : undefined;
      const long = /'(--[a-z-]+)=-XYZ'/.exec(text)?.[1] ?? option;
      throw new UsageError(
        `${option} needs a value, and ${value === undefined ? 'the next argument' : JSON.stringify(value)} looks like an option`,
        `a value starting with a dash is written ${long}=${value ?? '-VALUE'}; usage: ${command.usage}`,
      );
    }
    const message = text.split('. To specify a positional')[0] ?? text;
    throw new UsageError(message.replace(/\.$/, ''), `usage: ${command.usage} (run \`sessions help ${command.name}\`)`);
  }
}

function checkPositionals(command: Command, positionals: readonly string[]): void {
  const required = command.positionals.filter((name) => !name.endsWith('?'));
  if (positionals.length < required.length) {
    const missing = required.slice(positionals.length).map((name) => `<${name}>`);
    throw new UsageError(`missing ${missing.join(' ')}`, `usage: ${command.usage}`);
  }
  if (positionals.length > command.positionals.length) {
    const extra = positionals.slice(command.positionals.length);
    throw new UsageError(`unexpected argument${extra.length > 1 ? 's' : ''} ${extra.map((arg) => JSON.stringify(arg)).join(' ')}`, `usage: ${command.usage}`);
  }
}

function globalOptions(values: OptionValues): GlobalOptions {
  const progress = values['progress'];
  if (progress !== undefined && !['auto', 'bar', 'lines', 'none'].includes(progress as string)) {
    throw new UsageError(`--progress is auto, bar, lines or none; got ${JSON.stringify(progress)}`);
  }
  const timeout = values['connect-timeout'];
  return {
    json: values['json'] === true,
    quiet: values['quiet'] === true,
    progress: (progress as GlobalOptions['progress'] | undefined) ?? 'auto',
    connectTimeoutMs: typeof timeout === 'string' ? parseDuration(timeout, '--connect-timeout', { allowZero: false }) : 15_000,
    yes: values['yes'] === true,
  };
}

function makeContext(
  command: Command,
  io: CliIo,
  options: OptionValues,
  positionals: readonly string[],
  global: GlobalOptions,
  stores: OpenStore[],
  secrets: readonly string[],
): CommandContext {
  const progressBars: Progress[] = [];
  const toStderr = (line: string): void => {
    for (const bar of progressBars) bar.clear();
    io.stderr.write(`${scrub(line, secrets)}\n`);
  };
  return {
    io,
    options,
    positionals,
    global,
    signal: io.signal,
    async open(url, { mustExist }) {
      const store = await openStore(url, { mustExist, connectTimeoutMs: global.connectTimeoutMs, ...(io.signal ? { signal: io.signal } : {}) });
      stores.push(store);
      return store;
    },
    out: (text) => write(io.stdout, text),
    note(line) {
      if (!global.quiet) toStderr(line);
    },
    warn: toStderr,
    progress(label, unit, total) {
      const requested = global.quiet ? 'none' : global.progress;
      const bar = new Progress(io.stderr, { mode: progressMode(io.stderr, requested), label, unit, total });
      progressBars.push(bar);
      return bar;
    },
    async confirm(question) {
      if (global.yes) return true;
      if (!io.stdin.isTTY || !io.stderr.isTTY || global.json) {
        throw new UsageError(
          `${command.name} deletes data and there is no terminal to confirm on`,
          'pass --yes to confirm (or --dry-run to see what it would do)',
        );
      }
      const text = await question();
      if (text === undefined) return true;
      const prompt = createInterface({ input: io.stdin, output: io.stderr });
      try {
        const answer = await prompt.question(`${scrub(text, secrets)} [y/N] `);
        return /^y(es)?$/i.test(answer.trim());
      } finally {
        prompt.close();
      }
    },
    now: () => new Date(),
  };
}

function report(error: CliError, io: CliIo, secrets: readonly string[], json: boolean, commandName: string | undefined): void {
  const prefix = commandName && COMMANDS.some((command) => command.name === commandName) ? `sessions ${commandName}` : 'sessions';
  const message = scrub(error.message.replace(/^\[sessions\] /, ''), secrets);
  const hint = error.hint === undefined ? undefined : scrub(error.hint, secrets);
  if (json) {
    io.stderr.write(`${JSON.stringify({ error: { code: error.code, exitCode: error.exitCode, message, ...(hint ? { hint } : {}) } })}\n`);
  } else {
    io.stderr.write(`${prefix}: ${error.exitCode === EXIT.interrupted ? '' : 'error: '}${message}\n${hint ? `  hint: ${hint}\n` : ''}`);
  }
  if (io.env['SESSIONS_DEBUG']) {
    for (const cause of causeChain(error)) io.stderr.write(`${scrub(cause instanceof Error ? (cause.stack ?? cause.message) : String(cause), secrets)}\n`);
  }
}
