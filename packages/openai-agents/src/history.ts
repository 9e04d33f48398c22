import type { AgentInputItem } from '@openai/agents-core';
import type { Message, MessagesQuery } from '@sessions/core';
import { foreignItem } from './foreign-message.js';
import { decodeItem } from './item-codec.js';
import { isPopMarker, readMarker } from './stored-format.js';

/** Reads a range of the session's messages, oldest first (`SessionManager.messages`). */
export type ReadMessages = (query: MessagesQuery) => Promise<Message[]>;

/** What one stored message means to the item history. */
export type Entry = { kind: 'pop'; hint: { deadFrom: number; prevId: string } | undefined } | { kind: 'item'; item: AgentInputItem } | { kind: 'none' };

const MAX_PAGE = 1_000;

/*
 * The item history is the message log replayed as a stack: an item message pushes its item,
 * a tombstone pops the newest item still live before it, and a tombstone with nothing to pop
 * does nothing. `popItem` now deletes the item (an atomic truncate) and writes no tombstones,
 * but stores written by earlier versions hold them, and they must keep reading the same.
 *
 * Read newest first, this is bracket matching: keep a count of tombstones not yet matched;
 * an item is live when that count is zero, and otherwise cancels one of them. That gives the
 * same result as the forward replay, and reads only as far back as the caller needs.
 *
 * A tombstone whose hint holds (the message just before it is the one the pop saw as newest)
 * closes a balanced range: from the item it cancelled to itself, everything cancels out. The
 * reader jumps over that range, which changes no other match, so long runs of pops cost one
 * read instead of a walk through everything they removed.
 */

export function interpret(message: Message): Entry {
  const marker = readMarker(message);
  if (marker === undefined) {
    const item = foreignItem(message);
    return item ? { kind: 'item', item } : { kind: 'none' };
  }
  if (!isPopMarker(marker)) return { kind: 'item', item: decodeItem(message, marker) };
  return { kind: 'pop', hint: marker.deadFrom !== undefined && marker.prevId !== undefined ? { deadFrom: marker.deadFrom, prevId: marker.prevId } : undefined };
}

interface LiveItem {
  readonly item: AgentInputItem;
  readonly seq: number;
}

interface Walk {
  /** Newest first. */
  readonly live: LiveItem[];
  /** The newest message read, whatever it was. */
  readonly newest: Message | undefined;
}

/** Jumps over the range a tombstone closes when its hint holds; false when the reader must count it instead. */
async function jumpedOver(cursor: NewestFirst, tombstone: Message, entry: Entry & { kind: 'pop' }): Promise<boolean> {
  if (!entry.hint) return false;
  const previous = await cursor.peek();
  if (previous?.seq !== tombstone.seq - 1 || previous.id !== entry.hint.prevId) return false;
  cursor.skipFrom(entry.hint.deadFrom);
  return true;
}

/** Walks back from the newest message until `limit` live items are found or the log ends. */
async function walk(cursor: NewestFirst, limit: number): Promise<Walk> {
  const live: LiveItem[] = [];
  let newest: Message | undefined;
  let unmatchedPops = 0;
  for (let message = await cursor.next(); message; message = await cursor.next()) {
    newest ??= message;
    const entry = interpret(message);
    if (entry.kind === 'pop') {
      if (!(await jumpedOver(cursor, message, entry))) unmatchedPops++;
    } else if (entry.kind === 'item') {
      if (unmatchedPops > 0) unmatchedPops--;
      else {
        live.push({ item: entry.item, seq: message.seq });
        if (live.length >= limit) break;
      }
    }
  }
  return { live, newest };
}

/** The newest `limit` live items (all of them when undefined) in chronological order. */
export async function liveItems(read: ReadMessages, limit: number | undefined): Promise<AgentInputItem[]> {
  const cursor = limit === undefined ? NewestFirst.everything(read) : new NewestFirst(read, undefined, Math.min(limit + 4, MAX_PAGE));
  const { live } = await walk(cursor, limit ?? Number.POSITIVE_INFINITY);
  return live.map(({ item }) => item).reverse();
}

/**
 * The newest live item and its seq. Every message after it is dead (an item a tombstone
 * cancelled, the tombstone itself) or not an item, so deleting from its seq on removes exactly
 * that item from the history.
 */
export async function topItem(read: ReadMessages): Promise<LiveItem | undefined> {
  const { live } = await walk(new NewestFirst(read, undefined, 5), 1);
  return live[0];
}

/** Messages newest first, read in pages that double up to `MAX_PAGE`, able to jump back. */
class NewestFirst {
  readonly #read: ReadMessages;
  /** The current page, ascending; consumed from the end. */
  #buffer: Message[] = [];
  /** The next page holds messages below this seq (all messages when undefined). */
  #before: number | undefined;
  #page: number;
  #exhausted = false;

  constructor(read: ReadMessages, beforeSeq: number | undefined, firstPage: number) {
    this.#read = read;
    this.#before = beforeSeq;
    this.#page = Math.max(1, firstPage);
  }

  /** Reads the whole log in one query: nothing is gained by paging when all of it is wanted. */
  static everything(read: ReadMessages): NewestFirst {
    const cursor = new NewestFirst(read, undefined, 1);
    cursor.#page = Number.POSITIVE_INFINITY;
    return cursor;
  }

  async next(): Promise<Message | undefined> {
    return (await this.#fill()) ? this.#buffer.pop() : undefined;
  }

  /** The message `next()` would return, left in place. */
  async peek(): Promise<Message | undefined> {
    return (await this.#fill()) ? this.#buffer.at(-1) : undefined;
  }

  /** Skips every message at or above `seq`. */
  skipFrom(seq: number): void {
    while (this.#buffer.length > 0 && this.#buffer.at(-1)!.seq >= seq) this.#buffer.pop();
    if (this.#buffer.length === 0 && (this.#before === undefined || seq < this.#before)) this.#before = seq;
  }

  async #fill(): Promise<boolean> {
    while (this.#buffer.length === 0) {
      if (this.#exhausted) return false;
      const whole = this.#page === Number.POSITIVE_INFINITY;
      const query: MessagesQuery = whole ? {} : { last: this.#page };
      if (this.#before !== undefined) query.beforeSeq = this.#before;
      const page = await this.#read(query);
      if (whole || page.length < this.#page) this.#exhausted = true;
      if (page.length > 0) this.#before = page[0]!.seq;
      this.#buffer = page;
      if (!whole) this.#page = Math.min(this.#page * 2, MAX_PAGE);
    }
    return true;
  }
}
