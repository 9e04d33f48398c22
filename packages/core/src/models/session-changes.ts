import type { SessionChanges } from '../engine/engine.js';

/**
 * The fields `updateSession` may change, in the order SQL adapters write their SET clauses.
 * Keys, seq, counts and lineage are the store's to keep consistent.
 */
export const SESSION_CHANGE_FIELDS: readonly (keyof SessionChanges)[] = Object.freeze(['title', 'metadata', 'state', 'status', 'expiresAt', 'updatedAt']);
