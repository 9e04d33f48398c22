import { ValidationError, type JsonObject, type Message } from '@sessions/core';
import { isPlainObject } from '@sessions/core/engine';
import { isValuePathList, type ValuePath } from './json-extras.js';

/** The key in a message's `metadata` under which the bridge keeps what it needs. */
export const METADATA_KEY = 'openaiAgents';
/** Version of the stored format; readers refuse newer versions instead of misreading them. */
export const FORMAT_VERSION = 1;

/** What an item message keeps in `metadata.openaiAgents`. */
export interface ItemMarker {
  v: typeof FORMAT_VERSION;
  /** The item as JSON, minus the field moved into the message's `content`. */
  item: JsonObject;
  /** Which item field lives in the message's `content`, if any. */
  field?: 'content' | 'output';
  /** The field's value is an object, stored as `content: [value]`. */
  wrapped?: true;
  /** Paths of byte arrays, stored as base64. */
  bytes?: ValuePath[];
  /** Paths of properties explicitly `undefined`. */
  undefinedAt?: ValuePath[];
}

/**
 * What a tombstone keeps in `metadata.openaiAgents`: it cancels the newest live item before it.
 * Written by `popItem` in earlier versions; still read (stores keep them), never written any more.
 */
export interface PopMarker {
  v: typeof FORMAT_VERSION;
  pop: true;
  /**
   * What the pop saw before appending the tombstone: the newest message (`prevId`) and the
   * live item on top (`deadFrom`, its seq). If the message right before the tombstone is still
   * `prevId`, nothing came in between, so every message from `deadFrom` to the tombstone is
   * dead and readers may jump over them. Otherwise (a concurrent write, a clear) readers
   * ignore the hint and walk.
   */
  deadFrom?: number;
  prevId?: string;
}

export type Marker = ItemMarker | PopMarker;

/** The bridge's marker on a message, undefined for messages other tools wrote. */
export function readMarker(message: Message): Marker | undefined {
  const marker = message.metadata[METADATA_KEY];
  if (marker === undefined) return undefined;
  const where = `message seq ${message.seq} of session ${JSON.stringify(message.sessionId)}`;
  if (!isPlainObject(marker)) throw malformed(where);
  if (typeof marker['v'] === 'number' && marker['v'] > FORMAT_VERSION) {
    throw new ValidationError(
      `${where} was written by a newer @sessions/openai-agents (format ${marker['v']}, this one reads ${FORMAT_VERSION}): upgrade the package`,
      { path: `metadata.${METADATA_KEY}.v` },
    );
  }
  if (marker['v'] !== FORMAT_VERSION) throw malformed(where);
  if (marker['pop'] === true) {
    const { deadFrom, prevId } = marker;
    const hinted = deadFrom !== undefined || prevId !== undefined;
    if (hinted && !(Number.isSafeInteger(deadFrom) && (deadFrom as number) >= 1 && (deadFrom as number) < message.seq && typeof prevId === 'string')) {
      throw malformed(where);
    }
    return marker as unknown as PopMarker;
  }
  const field = marker['field'];
  if (
    !isPlainObject(marker['item']) ||
    (field !== undefined && field !== 'content' && field !== 'output') ||
    (marker['bytes'] !== undefined && !isValuePathList(marker['bytes'])) ||
    (marker['undefinedAt'] !== undefined && !isValuePathList(marker['undefinedAt']))
  ) {
    throw malformed(where);
  }
  return marker as unknown as ItemMarker;
}

export function isPopMarker(marker: Marker): marker is PopMarker {
  return 'pop' in marker;
}

function malformed(where: string): ValidationError {
  return new ValidationError(`${where} has a malformed metadata.${METADATA_KEY} marker: it was changed outside @sessions/openai-agents`, {
    path: `metadata.${METADATA_KEY}`,
  });
}
