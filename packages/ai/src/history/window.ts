import { ValidationError, type Message } from '@sessions/core';
import { describeType } from '@sessions/core/engine';

/**
 * How much stored history an agent sends with each turn. Whole tool-call groups only (an
 * assistant message with the tool messages that answer it), so a tool call is never sent
 * without its result; the system prompt is always sent and does not count.
 *
 * @example
 * createAgent({ model, sessions, historyWindow: { maxMessages: 40, maxTokens: 8_000 } })
 */
export interface HistoryWindow {
  /** At most this many stored messages. */
  maxMessages?: number;
  /** At most this many tokens of stored messages, as `estimateTokens` counts them. */
  maxTokens?: number;
  /** Token count of one stored message. Default: {@link estimateTokens}. */
  estimateTokens?: (message: Message) => number;
}

export interface ResolvedWindow {
  readonly maxMessages: number;
  readonly maxTokens: number;
  readonly estimateTokens: (message: Message) => number;
}

/**
 * The default token estimate: one token per four characters of the message's content, tool
 * calls and name, plus four for the message itself. Rough (real tokenizers differ by model and
 * language) but cheap, monotonic and deterministic; pass your tokenizer for exact budgets.
 */
export function estimateTokens(message: Message): number {
  const content = typeof message.content === 'string' ? message.content.length : JSON.stringify(message.content).length;
  const toolCalls = message.toolCalls ? JSON.stringify(message.toolCalls).length : 0;
  return Math.ceil((content + toolCalls + (message.name?.length ?? 0)) / 4) + 4;
}

/** `historyWindow` as given (a number is `maxMessages`), checked; null means all history. */
export function resolveWindow(window: HistoryWindow | number | undefined, path = 'historyWindow'): ResolvedWindow | null {
  if (window === undefined) return null;
  const options = typeof window === 'number' ? { maxMessages: window } : window;
  if (typeof options !== 'object' || options === null)
    throw new ValidationError('is a number of messages or { maxMessages?, maxTokens?, estimateTokens? }', { path });
  for (const field of ['maxMessages', 'maxTokens'] as const) {
    const value = options[field];
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0))
      throw new ValidationError(`must be a whole number >= 0, got ${String(value)}`, { path: `${path}.${field}` });
  }
  if (options.maxMessages === undefined && options.maxTokens === undefined) throw new ValidationError('give maxMessages, maxTokens or both', { path });
  if (options.estimateTokens !== undefined && typeof options.estimateTokens !== 'function')
    throw new ValidationError('must be a function (message) => number', { path: `${path}.estimateTokens` });
  return Object.freeze({
    maxMessages: options.maxMessages ?? Number.POSITIVE_INFINITY,
    maxTokens: options.maxTokens ?? Number.POSITIVE_INFINITY,
    estimateTokens: options.estimateTokens === undefined ? estimateTokens : checkedEstimate(options.estimateTokens, `${path}.estimateTokens`),
  });
}

/**
 * The caller's estimator, with its answers checked: a NaN, a string or a negative count would
 * otherwise make every comparison with the budget false or wrong, and the window silently
 * send no history (or too much) instead of failing the turn with the reason.
 */
function checkedEstimate(estimate: (message: Message) => number, path: string): (message: Message) => number {
  return (message) => {
    const tokens = estimate(message);
    if (typeof tokens !== 'number' || Number.isNaN(tokens) || tokens < 0) {
      throw new ValidationError(
        `must return a number >= 0, returned ${typeof tokens === 'number' ? String(tokens) : describeType(tokens)} for message seq ${message.seq}`,
        { path },
      );
    }
    return tokens;
  };
}
