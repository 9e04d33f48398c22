import { SessionExistsError, type Engine, type SessionKey } from '@sessions/core';
import type { Command } from '../command.js';
import { CliError, InterruptedError, isSessionsError, toCliError } from '../errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { parsePositiveInt } from '../duration.js';
import { DEFAULT_IMPORT_LIMITS, ImportInput, parseScannedLine, type ImportLimits, type NumberedLine } from '../import-lines.js';
import { formatCount } from '../progress.js';
import { keyIn, pauseForSignals, pickKey, throwIfInterrupted } from '../scan.js';

/** Keys checked against the store per query while validating. */
const EXISTS_BATCH = 200;
/** Errors listed in full; the rest are counted. */
const SHOWN_ERRORS = 20;
/** Errors kept for --json; a file of millions of bad lines must not fill memory with them. */
const KEPT_ERRORS = 1_000;

interface LineError {
  line: number;
  message: string;
  conflict: boolean;
}

export const importCommand: Command = {
  name: 'import',
  summary: 'read a JSON Lines export (stdin or a file) into a store: all lines checked first',
  usage: 'sessions import <url> [file] [--on-conflict error|skip] [--dry-run] [--max-message-bytes N] [--max-line-bytes N] < sessions.jsonl',
  help: `Reads core's export format, one session per line (what \`sessions export\` writes),
from the file given or from stdin. Every line is validated first, and checked against the
store for sessions that already exist; if any line is bad, the bad lines are listed with
their line numbers and NOTHING is written (exit 3, or 8 when the only problems are
conflicts). Then each session is written atomically with its messages; a store that does
not exist yet is created only then, never by a refused import or --dry-run. Input from a
pipe (stdin, a named pipe, <(zcat backup.gz)) is spooled to a temporary file between the
two passes, so memory stays flat.

What is stored is exactly what the file says, or the line is refused: bytes that are not
UTF-8, a number no double holds exactly (an integer beyond 2^53, 1e400; write it as a
string), a lone surrogate, and a message over append's size limit are bad lines. A line
is read only up to its limits, never whole when it is over them.

Options:
  --on-conflict <mode>    error (default): a session that already exists is a bad line;
                          skip: leave existing sessions as they are and import the rest
  --dry-run               validate only; write nothing
  --max-message-bytes <n> largest message, as SessionManager's limits.maxMessageBytes
                          counts it (default ${DEFAULT_IMPORT_LIMITS.maxMessageBytes}, the same default)
  --max-line-bytes <n>    longest line, one session with its messages (default ${DEFAULT_IMPORT_LIMITS.maxLineBytes})

Examples:
  sessions import postgres://app@db/app < backup.jsonl
  gunzip -c alice.jsonl.gz | sessions import sqlite:./restore.db --on-conflict skip`,
  options: {
    'on-conflict': { type: 'string' },
    'dry-run': { type: 'boolean' },
    'max-message-bytes': { type: 'string' },
    'max-line-bytes': { type: 'string' },
  },
  positionals: ['url', 'file?'],
  async run(context) {
    const [url, file] = context.positionals as [string, string | undefined];
    const onConflict = context.options['on-conflict'] ?? 'error';
    if (onConflict !== 'error' && onConflict !== 'skip') {
      throw new CliError(EXIT.usage, 'USAGE', `--on-conflict is error or skip; got ${JSON.stringify(onConflict)}`);
    }
    const dryRun = context.options['dry-run'] === true;
    if (file === undefined && context.io.stdin.isTTY) {
      throw new CliError(EXIT.usage, 'USAGE', 'import reads an export from stdin, which is a terminal here', {
        hint: 'redirect a file (sessions import <url> < sessions.jsonl) or name it (sessions import <url> sessions.jsonl)',
      });
    }
    const limits = importLimits(context.options);
    const input = file === undefined ? ImportInput.fromStdin(context.io.stdin, limits) : ImportInput.fromFile(file, limits);
    try {
      // A store that does not exist yet is only created once every line is known good (and
      // never by --dry-run): until then it holds no session to conflict with.
      let engine: Engine | null = await context.open(url, { mustExist: true }).then(
        (store) => store.engine,
        (error: unknown) => {
          if (error instanceof CliError && error.code === 'STORE_NOT_FOUND') return null;
          throw error;
        },
      );

      // Pass 1: validate everything, write nothing.
      const checking = context.progress('import: checking', 'lines');
      const errors: LineError[] = [];
      let errorCount = 0;
      let onlyConflicts = true;
      const record = (error: LineError): void => {
        errorCount++;
        onlyConflicts &&= error.conflict;
        if (errors.length < KEPT_ERRORS) errors.push(error);
      };
      const seen = new Map<string, number>();
      let pending: Array<{ key: SessionKey; line: number; messages: number }> = [];
      let sessions = 0;
      let messages = 0;
      let existing = 0;
      const flushExistence = async (): Promise<void> => {
        const found = engine
          ? await existingKeys(
              engine,
              pending.map((item) => item.key),
            )
          : new Set<string>();
        for (const item of pending) {
          if (!found.has(storeKey(item.key))) continue;
          existing++;
          if (onConflict === 'skip') messages -= item.messages;
          else {
            record({
              line: item.line,
              message: `${describe(item.key)} already exists in the store (pass --on-conflict skip to keep it and import the rest)`,
              conflict: true,
            });
          }
        }
        pending = [];
      };
      let lines = 0;
      try {
        for await (const line of input.firstPass()) {
          if (line.number % 100 === 0) await pauseForSignals(context.signal);
          else throwIfInterrupted(context.signal);
          lines = line.number;
          const parsed = check(line, limits, record);
          checking.update(line.number, `${formatCount(errorCount)} bad`);
          if (!parsed) continue;
          const id = storeKey(parsed.session);
          const earlier = seen.get(id);
          if (earlier !== undefined) {
            record({ line: line.number, message: `${describe(parsed.session)} is also on line ${earlier}: a session may appear once`, conflict: false });
            continue;
          }
          seen.set(id, line.number);
          sessions++;
          messages += parsed.messages.length;
          pending.push({ key: pickKey(parsed.session), line: line.number, messages: parsed.messages.length });
          if (pending.length >= EXISTS_BATCH) await flushExistence();
        }
      } catch (error) {
        if (isSessionsError(error) || error instanceof CliError) throw error;
        throw new CliError(EXIT.failure, 'READ_FAILED', `cannot read the input: ${(error as Error).message}`, { cause: error });
      }
      await flushExistence();
      checking.finish();
      seen.clear();

      if (errorCount > 0) {
        errors.sort((a, b) => a.line - b.line);
        return reportErrors(context, { errors, count: errorCount, onlyConflicts }, lines);
      }
      const toWrite = sessions - (onConflict === 'skip' ? existing : 0);
      if (dryRun) {
        return summary(context, { dryRun, lines, imported: toWrite, messages, skipped: onConflict === 'skip' ? existing : 0 });
      }

      // Pass 2: every line is known good; write each session atomically.
      engine ??= (await context.open(url, { mustExist: false })).engine;
      const target = engine;
      const writing = context.progress('import', 'sessions', toWrite);
      let imported = 0;
      let importedMessages = 0;
      let skipped = 0;
      const stopIfInterrupted = async (line: number): Promise<void> => {
        try {
          if (line % 100 === 0) await pauseForSignals(context.signal);
          else throwIfInterrupted(context.signal);
        } catch (error) {
          throw error instanceof InterruptedError
            ? new InterruptedError(`${formatCount(imported)} sessions were written; rerun with --on-conflict skip to import the rest`)
            : error;
        }
      };
      let secondPassLines = 0;
      for await (const line of input.secondPass()) {
        secondPassLines = line.number;
        await stopIfInterrupted(line.number);
        let parsed;
        try {
          if ('error' in line) throw line.error;
          parsed = parseScannedLine(line.text, limits);
        } catch (error) {
          throw new CliError(
            EXIT.failure,
            'INPUT_CHANGED',
            `line ${line.number} no longer parses: the input changed while importing (${imported} sessions were written)`,
            { cause: error },
          );
        }
        if (!parsed) continue;
        try {
          await target.createSession(parsed.session, parsed.messages);
          imported++;
          importedMessages += parsed.messages.length;
        } catch (error) {
          if (!(error instanceof SessionExistsError || (isSessionsError(error) && error.code === 'SESSION_EXISTS'))) {
            const cause = toCliError(error);
            throw new CliError(
              cause.exitCode,
              cause.code,
              `line ${line.number}: ${cause.message.replace(/^\[sessions\] /, '')} (${imported} sessions were written before it; rerun with --on-conflict skip to finish)`,
              { cause: error },
            );
          }
          if (onConflict === 'error') {
            throw new CliError(
              EXIT.conflict,
              'SESSION_EXISTS',
              `line ${line.number}: ${describe(parsed.session)} was created by someone else while importing`,
              {
                hint: `${imported} sessions were written before it; rerun with --on-conflict skip to import the rest`,
                cause: error,
              },
            );
          }
          skipped++;
        }
        writing.update(imported + skipped, `${formatCount(importedMessages)} messages`);
      }
      writing.finish();
      if (secondPassLines !== lines) {
        throw new CliError(
          EXIT.failure,
          'INPUT_CHANGED',
          `the input had ${formatCount(lines)} lines when checked and ${formatCount(secondPassLines)} when written: it changed while importing`,
          {
            hint: `${formatCount(imported)} sessions were written; import from a file that does not change, and rerun with --on-conflict skip`,
          },
        );
      }
      return summary(context, { dryRun, lines, imported, messages: importedMessages, skipped });
    } finally {
      await input.cleanup();
    }
  },
};

function importLimits(options: Parameters<Command['run']>[0]['options']): ImportLimits {
  const given = (name: string, fallback: number): number => {
    const text = options[name];
    return typeof text === 'string' ? parsePositiveInt(text, `--${name}`) : fallback;
  };
  return {
    maxMessageBytes: given('max-message-bytes', DEFAULT_IMPORT_LIMITS.maxMessageBytes),
    maxLineBytes: given('max-line-bytes', DEFAULT_IMPORT_LIMITS.maxLineBytes),
  };
}

function check(line: NumberedLine, limits: ImportLimits, record: (error: LineError) => void): ReturnType<typeof parseScannedLine> {
  try {
    if ('error' in line) throw line.error;
    return parseScannedLine(line.text, limits);
  } catch (error) {
    if (!isSessionsError(error)) throw error;
    record({ line: line.number, message: error.message.replace(/^\[sessions\] /, ''), conflict: false });
    return undefined;
  }
}

async function existingKeys(engine: Engine, keys: readonly SessionKey[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const found = await engine.findMany('sessions', { where: keyIn(keys) });
  return new Set(found.map(storeKey));
}

function storeKey(key: SessionKey): string {
  return `${key.userId}\u0000${key.sessionId}`;
}

function describe(key: SessionKey): string {
  return `session ${JSON.stringify(key.sessionId)} of user ${JSON.stringify(key.userId)}`;
}

async function reportErrors(
  context: Parameters<Command['run']>[0],
  found: { errors: LineError[]; count: number; onlyConflicts: boolean },
  lines: number,
): Promise<ExitCode> {
  const { errors, count } = found;
  if (context.global.json) {
    await context.out(
      `${JSON.stringify({ ok: false, written: 0, lines, errorCount: count, errors: errors.map(({ line, message }) => ({ line, message })) })}\n`,
    );
  } else {
    for (const error of errors.slice(0, SHOWN_ERRORS)) context.warn(`line ${error.line}: ${error.message}`);
    if (count > SHOWN_ERRORS) context.warn(`... and ${formatCount(count - SHOWN_ERRORS)} more`);
  }
  context.warn(`sessions import: ${formatCount(count)} bad line${count === 1 ? '' : 's'} of ${formatCount(lines)}; nothing was written`);
  return found.onlyConflicts ? EXIT.conflict : EXIT.invalidInput;
}

async function summary(
  context: Parameters<Command['run']>[0],
  result: { dryRun: boolean; lines: number; imported: number; messages: number; skipped: number },
): Promise<void> {
  if (context.global.json) {
    await context.out(
      `${JSON.stringify({ ok: true, dryRun: result.dryRun, lines: result.lines, sessions: result.imported, messages: result.messages, skipped: result.skipped })}\n`,
    );
    return;
  }
  const verb = result.dryRun ? 'would import' : 'imported';
  const skipped = result.skipped > 0 ? ` (${formatCount(result.skipped)} skipped: already in the store)` : '';
  context.note(
    `${verb} ${formatCount(result.imported)} session${result.imported === 1 ? '' : 's'} and ${formatCount(result.messages)} message${result.messages === 1 ? '' : 's'}${skipped}${result.dryRun ? '; all lines are valid' : ''}`,
  );
}
