import { PRELUDE } from './prelude.js';

/**
 * Lease scripts. Expiry is measured on Redis's clock (TIME inside the script); clients send
 * only durations. The lease hash is never deleted on release or lease expiry, so the token
 * only grows; it expires with the session's keys when the session has a TTL.
 */

/**
 * ARGV: 1 owner, 2 ttl ms. Returns {1, token, expiresAt} or {0, holder, expiresAt}.
 */
export const ACQUIRE = `${PRELUDE}
local now = now_ms()
local l = redis.call('HMGET', KEYS[4], L_OWNER, L_TOKEN, L_EXPIRES)
if l[3] and tonumber(l[3]) > now then return {0, l[1], l[3]} end
local token = fmt((tonumber(l[2]) or 0) + 1)
local expires_at = fmt(now + tonumber(ARGV[2]))
redis.call('HSET', KEYS[4], L_OWNER, ARGV[1], L_TOKEN, token, L_EXPIRES, expires_at)
local deadline = redis.call('HGET', KEYS[1], F_DEADLINE)
if deadline then
  redis.call('PEXPIREAT', KEYS[4], deadline)
elseif redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('PERSIST', KEYS[4])
end
return {1, token, expires_at}
`;

/** ARGV: 1 owner, 2 token, 3 ttl ms. Returns {1, expiresAt} or {0} when the lease was lost. */
export const RENEW = `${PRELUDE}
if not lease_held(ARGV[1], ARGV[2]) then return {0} end
local expires_at = fmt(now_ms() + tonumber(ARGV[3]))
redis.call('HSET', KEYS[4], L_EXPIRES, expires_at)
return {1, expires_at}
`;

/** ARGV: 1 owner, 2 token. Ends the lease, keeping its token. Returns 1 if it was still held. */
export const RELEASE = `${PRELUDE}
local l = redis.call('HMGET', KEYS[4], L_OWNER, L_TOKEN, L_EXPIRES)
if l[1] ~= ARGV[1] or tonumber(l[2]) ~= tonumber(ARGV[2]) or not l[3] then return 0 end
redis.call('HDEL', KEYS[4], L_EXPIRES)
if tonumber(l[3]) > now_ms() then return 1 end
return 0
`;

/**
 * Reads lease hashes for `listLeases` and judges each on Redis's clock, all at one instant.
 * KEYS: lease hashes of one user's sessions (one hash tag, so one slot), not the ten keys of
 * the session scripts: of the prelude it uses only `now_ms` and the field names.
 * ARGV: 1 '' for every lease, '1' only held ones, '0' only the others;
 * then the session id of each key, in KEYS order.
 * Returns, flat, {sessionId, owner, token, expiresAt or nil, 1 if held else 0} for each
 * lease hash that exists and passes the filter, in KEYS order.
 */
export const LIST_LEASES = `${PRELUDE}
local now = now_ms()
local rows = {}
for i = 1, #KEYS do
  local l = redis.call('HMGET', KEYS[i], L_OWNER, L_TOKEN, L_EXPIRES)
  if l[1] then
    local held = l[3] and tonumber(l[3]) > now
    if ARGV[1] == '' or (ARGV[1] == '1') == held then
      rows[#rows + 1] = ARGV[i + 1]
      rows[#rows + 1] = l[1]
      rows[#rows + 1] = l[2]
      rows[#rows + 1] = l[3]
      rows[#rows + 1] = held and 1 or 0
    end
  end
end
return rows
`;
