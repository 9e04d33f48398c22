import type { Output } from './io.js';

/** `bar`: a redrawn line on a terminal; `lines`: a plain line now and then (logs, pipes); `none`: silent. */
export type ProgressMode = 'bar' | 'lines' | 'none';

export interface ProgressOptions {
  mode: ProgressMode;
  /** Shown first, e.g. `migrate`. */
  label: string;
  /** The unit of `done`/`total`, e.g. `sessions`. */
  unit: string;
  /** Known in advance, or undefined to show a count without a percentage. */
  total?: number | undefined;
  /** Smallest pause between two plain lines. Default 2 s. */
  lineIntervalMs?: number;
  /** Smallest pause between two redraws of the bar. Default 100 ms. */
  barIntervalMs?: number;
  now?: () => number;
}

/** Picks `bar` on a terminal and `lines` otherwise, unless the user chose. */
export function progressMode(stream: Output, requested: string | undefined): ProgressMode {
  if (requested === 'bar' || requested === 'lines' || requested === 'none') return requested;
  return stream.isTTY ? 'bar' : 'lines';
}

/**
 * Progress of long work on stderr, so stdout stays clean for data. Updates are throttled:
 * calling `update` for every item costs next to nothing.
 */
export class Progress {
  readonly #stream: Output;
  readonly #options: Required<Omit<ProgressOptions, 'total'>> & { total: number | undefined };
  readonly #startedAt: number;
  #lastDrawAt = Number.NEGATIVE_INFINITY;
  #done = 0;
  #detail = '';
  #barVisible = false;
  #printedLine: boolean;

  constructor(stream: Output, options: ProgressOptions) {
    this.#stream = stream;
    this.#options = {
      lineIntervalMs: 2_000,
      barIntervalMs: 100,
      now: Date.now,
      ...options,
      total: options.total,
    };
    this.#startedAt = this.#options.now();
    // Plain lines start after one interval: short work stays quiet in logs.
    if (this.#options.mode === 'lines') this.#lastDrawAt = this.#startedAt;
    this.#printedLine = false;
  }

  set total(total: number | undefined) {
    this.#options.total = total;
  }

  /** Records progress; draws when the last drawing is old enough. */
  update(done: number, detail = ''): void {
    this.#done = done;
    this.#detail = detail;
    if (this.#options.mode === 'none') return;
    const now = this.#options.now();
    const interval = this.#options.mode === 'bar' ? this.#options.barIntervalMs : this.#options.lineIntervalMs;
    if (now - this.#lastDrawAt < interval) return;
    this.#lastDrawAt = now;
    this.#draw(now);
  }

  /** Prints a line of its own (a warning, a skipped session) without garbling the bar. */
  log(line: string): void {
    if (this.#options.mode === 'none') return;
    this.#clearBar();
    this.#stream.write(`${line}\n`);
  }

  /** Lifts the bar off the line so other text can be printed; the next update redraws it. */
  clear(): void {
    if (!this.#barVisible) return;
    this.#clearBar();
    this.#lastDrawAt = Number.NEGATIVE_INFINITY;
  }

  /** Removes the bar; in `lines` mode prints the final count once. */
  finish(): void {
    if (this.#options.mode === 'bar') this.#clearBar();
    else if (this.#options.mode === 'lines' && this.#printedLine) this.#draw(this.#options.now());
  }

  #draw(now: number): void {
    const { label, unit, total, mode } = this.#options;
    const elapsed = formatElapsed(now - this.#startedAt);
    const count = total === undefined ? `${formatCount(this.#done)} ${unit}` : `${formatCount(this.#done)}/${formatCount(total)} ${unit}`;
    const percent = total === undefined || total === 0 ? undefined : Math.min(100, Math.floor((this.#done / total) * 100));
    const detail = this.#detail ? ` · ${this.#detail}` : '';
    if (mode === 'lines') {
      this.#printedLine = true;
      this.#stream.write(`${label}: ${count}${percent === undefined ? '' : ` (${percent}%)`}${detail} · ${elapsed}\n`);
      return;
    }
    const text = ` ${percent === undefined ? '' : `${String(percent).padStart(3)}% `}${count}${detail} · ${elapsed}`;
    // A terminal that reports no size (0 under some multiplexers) gets the classic 80.
    const columns = (this.#stream.columns ?? 0) >= 20 ? this.#stream.columns! : 80;
    // A fixed width, so the bar does not shrink as the counts grow; none when there is no room.
    const room = columns - label.length - text.length - 4;
    const barWidth = percent === undefined ? 0 : room >= 24 ? 24 : room >= 12 ? 12 : 0;
    const filled = percent === undefined ? 0 : Math.round((barWidth * percent) / 100);
    const bar = barWidth > 0 ? ` [${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]` : '';
    const line = `${label}${bar}${text}`.slice(0, Math.max(10, columns - 1));
    this.#stream.write(`\r\x1b[2K${line}`);
    this.#barVisible = true;
  }

  #clearBar(): void {
    if (!this.#barVisible) return;
    this.#stream.write('\r\x1b[2K');
    this.#barVisible = false;
  }
}

export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

export function formatElapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return hours > 0 ? `${hours}:${pad(minutes % 60)}:${pad(seconds % 60)}` : `${pad(minutes)}:${pad(seconds % 60)}`;
}
