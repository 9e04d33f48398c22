import type { JsonObject, MessageInput } from '@sessions/core';
import { FORMAT_VERSION, METADATA_KEY, type PopMarker } from '../../src/index.js';

/**
 * A tombstone as `popItem` wrote them before it truncated instead: it cancels the newest live
 * item before it, with what the pop saw as a hint for readers. Stores still hold them.
 */
export function legacyTombstone(hint?: { deadFrom: number; prevId: string }): MessageInput {
  const marker: PopMarker = hint ? { v: FORMAT_VERSION, pop: true, deadFrom: hint.deadFrom, prevId: hint.prevId } : { v: FORMAT_VERSION, pop: true };
  return { role: 'system', content: '', metadata: { [METADATA_KEY]: marker as unknown as JsonObject } };
}
