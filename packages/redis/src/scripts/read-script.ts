import { COLUMNS } from '../codec.js';
import { LIVE_AT } from './prelude.js';

/**
 * Reads a range of messages unless the session expired at or before the caller's time, in one
 * step: a session that expires between a separate expiry check and the read could otherwise
 * hand out its messages after it is gone to its users. Takes only the two keys it touches (both
 * under the user's hash tag) and leaves out the write scripts' prelude, so the read stays as
 * cheap as the plain ZRANGE it replaces.
 * KEYS: 1 session hash, 2 messages.
 * ARGV: 1 live-at ms, then the ZRANGE arguments after the key (range, BYSCORE, REV, LIMIT).
 * Returns the stored members, or {} when the session is expired.
 */
export const READ_MESSAGES = `${LIVE_AT}
if not live_at(redis.call('HGET', KEYS[1], '${COLUMNS.expiresAt}'), ARGV[1]) then return {} end
return redis.call('ZRANGE', KEYS[2], unpack(ARGV, 2))
`;
