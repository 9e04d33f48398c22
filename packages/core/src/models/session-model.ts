import type { JsonObject } from '../json.js';
import { defineModel } from './model.js';

/** Longest `userId`, `sessionId` or message `id`, in UTF-16 code units. */
export const ID_MAX_LENGTH = 255;
/** Longest session title, in code points. */
export const TITLE_MAX_LENGTH = 1_000;

/** A session is `active`, or `archived` (kept, and left out of `list` unless `includeArchived`). */
export type SessionStatus = 'active' | 'archived';
/** Every `SessionStatus`. */
export const SESSION_STATUSES: readonly SessionStatus[] = Object.freeze(['active', 'archived']);

/** A stored session, as every engine returns it. */
export interface Session {
  userId: string;
  sessionId: string;
  title: string | null;
  /** Descriptive, filterable with `metadata.<path>`. */
  metadata: JsonObject;
  /** Application state, patched with `setState`. */
  state: JsonObject;
  status: SessionStatus;
  createdAt: Date;
  updatedAt: Date;
  /** When the session expires (TTL), or null to keep it. */
  expiresAt: Date | null;
  parentSessionId: string | null;
  parentSeq: number | null;
  messageCount: number;
  /** Highest seq ever assigned in this session; never goes down, also across `clear`. */
  lastSeq: number;
  /** Grows with every update of title, metadata, state, status or expiry (optimistic concurrency). */
  version: number;
}

export const SessionModel = defineModel({
  name: 'sessions',
  fields: {
    userId: { type: 'string', nullable: false, column: 'user_id', maxLength: ID_MAX_LENGTH },
    sessionId: { type: 'string', nullable: false, column: 'session_id', maxLength: ID_MAX_LENGTH },
    title: { type: 'string', nullable: true, column: 'title', maxLength: TITLE_MAX_LENGTH },
    metadata: { type: 'json', nullable: false, column: 'metadata' },
    state: { type: 'json', nullable: false, column: 'state' },
    status: { type: 'string', nullable: false, column: 'status', values: SESSION_STATUSES, maxLength: 16 },
    createdAt: { type: 'timestamp', nullable: false, column: 'created_at' },
    updatedAt: { type: 'timestamp', nullable: false, column: 'updated_at' },
    expiresAt: { type: 'timestamp', nullable: true, column: 'expires_at' },
    parentSessionId: { type: 'string', nullable: true, column: 'parent_session_id', maxLength: ID_MAX_LENGTH },
    parentSeq: { type: 'integer', nullable: true, column: 'parent_seq' },
    messageCount: { type: 'integer', nullable: false, column: 'message_count' },
    lastSeq: { type: 'integer', nullable: false, column: 'last_seq' },
    version: { type: 'integer', nullable: false, column: 'version' },
  },
  primaryKey: ['userId', 'sessionId'],
  indexes: [
    { name: 'sessions_user_updated', fields: ['userId', 'updatedAt', 'sessionId'], unique: false },
    { name: 'sessions_expires', fields: ['expiresAt'], unique: false },
  ],
  filterableJsonField: 'metadata',
});

export type SessionField = keyof typeof SessionModel.fields;
