/** A message as the create and stage scripts take it: id, seq, stored JSON. */
export type MessageTriple = readonly [id: string, seq: string, stored: string];

/** At most this many messages per command: a few thousand arguments keep each script short. */
export const CHUNK_MESSAGES = 5_000;
/** At most about this many characters per command, so large messages never make one huge request. */
export const CHUNK_CHARS = 8 * 1024 * 1024;

/** Splits messages into consecutive chunks within both limits (a message larger than the character limit gets a chunk of its own). */
export function chunkMessages(triples: readonly MessageTriple[]): MessageTriple[][] {
  const chunks: MessageTriple[][] = [];
  let current: MessageTriple[] = [];
  let chars = 0;
  for (const triple of triples) {
    const size = triple[0].length + triple[1].length + triple[2].length;
    if (current.length > 0 && (current.length >= CHUNK_MESSAGES || chars + size > CHUNK_CHARS)) {
      chunks.push(current);
      current = [];
      chars = 0;
    }
    current.push(triple);
    chars += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
