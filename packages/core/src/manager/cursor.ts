import { ValidationError } from '../errors.js';
import { and, eq, gt, lt, or } from '../filter/builders.js';
import type { Filter } from '../filter/types.js';
import type { Session } from '../models/session-model.js';

/** Fields a session list can be ordered by: never null, so a keyset cursor is well defined. */
export const LIST_ORDER_FIELDS = ['updatedAt', 'createdAt', 'sessionId', 'messageCount', 'lastSeq'] as const;
/** A field `SessionManager.list` can order by. */
export type ListOrderField = (typeof LIST_ORDER_FIELDS)[number];
/** The order of `SessionManager.list`: one field, ties broken by `sessionId`. */
export interface ListOrder {
  field: ListOrderField;
  direction: 'asc' | 'desc';
}

interface CursorPayload {
  f: ListOrderField;
  d: 'asc' | 'desc';
  v: string | number;
  s: string;
}

/** An opaque cursor pointing just after `session` in the given order. */
export function encodeCursor(session: Session, order: ListOrder): string {
  const value = session[order.field];
  const payload: CursorPayload = { f: order.field, d: order.direction, v: value instanceof Date ? value.toISOString() : value, s: session.sessionId };
  return base64UrlEncode(JSON.stringify(payload));
}

/** The filter selecting what comes after the cursor (keyset pagination: stable under concurrent inserts). */
export function decodeCursor(cursor: string, order: ListOrder): Filter {
  let payload: CursorPayload;
  try {
    payload = JSON.parse(base64UrlDecode(cursor)) as CursorPayload;
  } catch (cause) {
    throw new ValidationError('the cursor is not one this library produced: pass nextCursor unchanged', { path: 'cursor', cause });
  }
  if (typeof payload !== 'object' || payload === null || payload.f !== order.field || payload.d !== order.direction || typeof payload.s !== 'string') {
    throw new ValidationError('the cursor belongs to another ordering: keep orderBy unchanged while paging', { path: 'cursor' });
  }
  const isDate = order.field === 'updatedAt' || order.field === 'createdAt';
  const value = isDate ? new Date(String(payload.v)) : payload.v;
  if ((isDate && Number.isNaN((value as Date).getTime())) || (!isDate && typeof value !== (order.field === 'sessionId' ? 'string' : 'number'))) {
    throw new ValidationError('the cursor is damaged: pass nextCursor unchanged', { path: 'cursor' });
  }
  const after = order.direction === 'asc' ? gt : lt;
  if (order.field === 'sessionId') return after('sessionId', payload.s);
  return or(after(order.field, value), and(eq(order.field, value), after('sessionId', payload.s)));
}

function base64UrlEncode(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function base64UrlDecode(text: string): string {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
}
