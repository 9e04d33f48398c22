import type { Message, SessionKey, SessionManager } from '@sessions/core';
import { compactionOf } from '../convert/stored-shape.js';
import type { ResolvedWindow } from './window.js';

export interface WindowedHistory {
  /** What to send, oldest first; never a compaction summary. */
  messages: Message[];
  /** The latest compaction summary, when older messages are left out of `messages`. */
  summary: { text: string; upToSeq: number } | null;
  /** Messages left out that no summary covers yet, oldest first (only when summaries are used). */
  uncovered: Message[];
}

export interface LoadWindowOptions {
  /** Use compaction summaries and collect the uncovered messages (the agent has a `compact` hook). */
  summaries: boolean;
}

/**
 * Reads the session's history from the newest message back, one page at a time, until the
 * window is full (and, with summaries, until the latest summary's coverage is reached), so a
 * long history costs one or two page reads per turn instead of a full read.
 *
 * Messages are taken in units: an assistant message with the tool messages after it, or any
 * other single message. A unit that does not fit ends the window.
 */
export async function loadWindow(
  sessions: SessionManager,
  key: SessionKey,
  window: ResolvedWindow | null,
  options: LoadWindowOptions,
): Promise<WindowedHistory> {
  if (!window) {
    const all = await sessions.messages(key);
    return { messages: all.filter((message) => !compactionOf(message)), summary: null, uncovered: [] };
  }
  const scan = new WindowScan(window, options.summaries);
  const pageSize = Math.min(1_000, Math.max(64, Number.isFinite(window.maxMessages) ? window.maxMessages + 16 : 128));
  let beforeSeq: number | undefined;
  for (;;) {
    const page = await sessions.messages(key, beforeSeq === undefined ? { last: pageSize } : { last: pageSize, beforeSeq });
    for (let i = page.length - 1; i >= 0 && !scan.done; i--) scan.add(page[i]!);
    if (scan.done) break;
    if (page.length < pageSize) {
      scan.end();
      break;
    }
    beforeSeq = page[0]!.seq;
  }
  return scan.result();
}

class WindowScan {
  done = false;
  readonly #window: ResolvedWindow;
  readonly #summaries: boolean;
  readonly #kept: Message[][] = [];
  readonly #uncovered: Message[][] = [];
  #pendingTools: Message[] = [];
  #count = 0;
  #tokens = 0;
  #full = false;
  #summary: { text: string; upToSeq: number } | null = null;

  constructor(window: ResolvedWindow, summaries: boolean) {
    this.#window = window;
    this.#summaries = summaries;
  }

  /** The next older message. */
  add(message: Message): void {
    const mark = compactionOf(message);
    if (mark) {
      if (this.#summaries && !this.#summary) this.#summary = { text: textOf(message), upToSeq: mark.upToSeq };
      return;
    }
    if (message.role === 'tool') {
      this.#pendingTools.unshift(message);
      return;
    }
    if (message.role === 'assistant') {
      const unit = [message, ...this.#pendingTools];
      this.#pendingTools = [];
      this.#unit(unit);
      return;
    }
    this.#flushOrphanTools();
    if (!this.done) this.#unit([message]);
  }

  /** The start of the history was reached. */
  end(): void {
    this.#flushOrphanTools();
  }

  result(): { messages: Message[]; summary: { text: string; upToSeq: number } | null; uncovered: Message[] } {
    const leftOut = this.#full || (this.done && this.#summary !== null);
    return {
      messages: this.#kept.reverse().flat(),
      summary: leftOut ? this.#summary : null,
      uncovered: this.#uncovered.reverse().flat(),
    };
  }

  #flushOrphanTools(): void {
    if (this.#pendingTools.length === 0) return;
    const orphans = this.#pendingTools;
    this.#pendingTools = [];
    this.#unit(orphans);
  }

  #unit(unit: Message[]): void {
    if (this.done) return;
    if (this.#summary && unit[0]!.seq <= this.#summary.upToSeq) {
      // Everything from here back is covered by the summary.
      this.done = true;
      return;
    }
    if (!this.#full) {
      const tokens = unit.reduce((sum, message) => sum + this.#window.estimateTokens(message), 0);
      if (this.#count + unit.length <= this.#window.maxMessages && this.#tokens + tokens <= this.#window.maxTokens) {
        this.#kept.push(unit);
        this.#count += unit.length;
        this.#tokens += tokens;
        return;
      }
      this.#full = true;
    }
    if (!this.#summaries) {
      this.done = true;
      return;
    }
    this.#uncovered.push(unit);
  }
}

function textOf(message: Message): string {
  return typeof message.content === 'string' ? message.content : JSON.stringify(message.content);
}
