import { MessageIndex } from './message-index.js';

interface FileIdentity {
  readonly dev: bigint;
  readonly ino: bigint;
}

/** The indexes of recently used messages files, least recently used dropped first. */
export class IndexCache {
  readonly #size: number;
  readonly #indexes = new Map<string, MessageIndex>();

  constructor(size: number) {
    this.#size = size;
  }

  /** The index of `file` if it may describe the file opened, which is then the most recently used. */
  get(file: string, logId: string, stats: FileIdentity & { readonly size: bigint }): MessageIndex | undefined {
    const index = this.#indexes.get(file);
    // A shorter file than indexed means committed lines were cut: a fresh scan reports it. The
    // rest only narrows things down: a freed inode number comes back for the next new file, so
    // the caller still checks the lines it uses against the index.
    if (!index || index.logId !== logId || index.dev !== stats.dev || index.ino !== stats.ino || BigInt(index.end) > stats.size) return undefined;
    this.#indexes.delete(file);
    this.#indexes.set(file, index);
    return index;
  }

  /** Forgets `index`, unless the cache already holds a newer one for the file. */
  drop(file: string, index: MessageIndex): void {
    if (this.#indexes.get(file) === index) this.#indexes.delete(file);
  }

  /** An empty index of the file opened, kept as the file's. */
  fresh(file: string, logId: string, stats: FileIdentity): MessageIndex {
    const index = new MessageIndex(logId, stats.dev, stats.ino);
    this.store(file, index);
    return index;
  }

  store(file: string, index: MessageIndex): void {
    this.#indexes.delete(file);
    this.#indexes.set(file, index);
    while (this.#indexes.size > this.#size) {
      const oldest = this.#indexes.keys().next().value as string;
      this.#indexes.delete(oldest);
    }
  }

  /** Whether `index` is still the one kept for `file`. */
  holds(file: string, index: MessageIndex): boolean {
    return this.#indexes.get(file) === index;
  }

  delete(file: string): void {
    this.#indexes.delete(file);
  }

  clear(): void {
    this.#indexes.clear();
  }
}
