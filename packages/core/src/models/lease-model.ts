import { defineModel } from './model.js';
import { ID_MAX_LENGTH } from './session-model.js';

/**
 * One row per session that was ever leased. The row outlives release and expiry so
 * `token` never goes down: release clears `expiresAt` but keeps the token.
 */
export const LeaseModel = defineModel({
  name: 'leases',
  fields: {
    userId: { type: 'string', nullable: false, column: 'user_id', maxLength: ID_MAX_LENGTH },
    sessionId: { type: 'string', nullable: false, column: 'session_id', maxLength: ID_MAX_LENGTH },
    owner: { type: 'string', nullable: false, column: 'owner', maxLength: ID_MAX_LENGTH },
    token: { type: 'integer', nullable: false, column: 'token' },
    /** Null once released. Compared with the store's own clock, never a client's. */
    expiresAt: { type: 'timestamp', nullable: true, column: 'expires_at' },
  },
  primaryKey: ['userId', 'sessionId'],
  indexes: [],
  filterableJsonField: null,
});
