import type { ParseArgsConfig } from 'node:util';
import type { ExitCode } from './exit-codes.js';
import type { CliIo } from './io.js';
import type { OpenStore } from './open-store.js';
import type { Progress } from './progress.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Record<string, string | boolean | undefined>;

/** Options every command takes. */
export interface GlobalOptions {
  /** Machine-readable output on stdout. */
  readonly json: boolean;
  /** No progress and no summary on stderr; errors are still printed. */
  readonly quiet: boolean;
  readonly progress: 'auto' | 'bar' | 'lines' | 'none';
  readonly connectTimeoutMs: number;
  /** Skip the confirmation prompt of destructive commands. */
  readonly yes: boolean;
}

/** What a command gets to do its work. */
export interface CommandContext {
  readonly io: CliIo;
  readonly options: OptionValues;
  readonly positionals: readonly string[];
  readonly global: GlobalOptions;
  readonly signal: AbortSignal | undefined;
  /** Opens a store, closed automatically when the command ends. */
  open(url: string, options: { mustExist: boolean }): Promise<OpenStore>;
  /** Writes to stdout with backpressure. */
  out(text: string): Promise<void>;
  /** Writes a line to stderr (passwords scrubbed); nothing when `--quiet`. */
  note(line: string): void;
  /** Writes a warning line to stderr (passwords scrubbed), even when `--quiet`. */
  warn(line: string): void;
  progress(label: string, unit: string, total?: number): Progress;
  /**
   * Asks "<question> [y/N]" on a terminal before a deletion. True at once under `--yes`;
   * without a terminal (or with `--json`) it is a usage error asking for `--yes`, so a script
   * never deletes by accident nor hangs on a prompt. `question` runs only when there is a
   * terminal to ask on; when it returns undefined there is nothing to confirm.
   */
  confirm(question: () => Promise<string | undefined>): Promise<boolean>;
  now(): Date;
}

export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** `sessions <name> ...` synopsis. */
  readonly usage: string;
  /** Longer help: options, examples. */
  readonly help: string;
  readonly options: OptionSpec;
  /** Names of the positional arguments, in order; a trailing `?` marks one optional. */
  readonly positionals: readonly string[];
  run(context: CommandContext): Promise<ExitCode | void>;
}
