import { LeaseModel } from '@sessions/core/engine';
import { column, COLUMNS, INTERNAL } from '../codec.js';

/** Lease hash fields, from the core lease model. */
export const LEASE = Object.freeze({
  owner: column(LeaseModel, 'owner'),
  token: column(LeaseModel, 'token'),
  expiresAt: column(LeaseModel, 'expiresAt'),
});

/**
 * Lua `live_at(expires_at, live_at_ms)`: false when the session expired at or before the
 * caller's time in ms ('' skips the check). An expired session is gone to its users, so no
 * write may reach it and no read may return its messages. Session TTLs are on the
 * application's clock, so this is never compared with TIME. Shared by the write scripts (via
 * the prelude) and the read script, so both judge expiry the same way.
 */
export const LIVE_AT = `
local function live_at(expires_at, live_at_ms)
  return live_at_ms == '' or not expires_at or tonumber(expires_at) > tonumber(live_at_ms)
end
`;

/**
 * Lua shared by the session scripts. Every session script takes the same ten keys, all
 * under the user's hash tag (one Cluster slot):
 *
 *   KEYS[1] session hash, KEYS[2] messages, KEYS[3] message ids, KEYS[4] lease,
 *   KEYS[5] by updatedAt, KEYS[6] by createdAt, KEYS[7] by expiresAt, KEYS[8] by id,
 *   KEYS[9] by deadline, KEYS[10] registration marker
 *
 * and touches no other key (the create script also takes its staging keys, same tag). Numbers that reach a key are formatted with `%d` (never Lua's
 * 14-digit `tostring`) or passed through as the strings the client sent.
 */
export const PRELUDE = `
local C_UPDATED = '${COLUMNS.updatedAt}'
local C_EXPIRES = '${COLUMNS.expiresAt}'
local C_LAST_SEQ = '${COLUMNS.lastSeq}'
local C_COUNT = '${COLUMNS.messageCount}'
local C_VERSION = '${COLUMNS.version}'
local F_REV = '${INTERNAL.rev}'
local F_DEADLINE = '${INTERNAL.deadline}'
local L_OWNER = '${LEASE.owner}'
local L_TOKEN = '${LEASE.token}'
local L_EXPIRES = '${LEASE.expiresAt}'

-- Redis's own clock, in ms: the one clock every lease is measured by.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function fmt(n)
  return string.format('%d', n)
end

-- True when the lease (owner, token) is the session's current, unexpired lease.
local function lease_held(owner, token)
  local l = redis.call('HMGET', KEYS[4], L_OWNER, L_TOKEN, L_EXPIRES)
  if l[1] ~= owner or tonumber(l[2]) ~= tonumber(token) or not l[3] then return false end
  return tonumber(l[3]) > now_ms()
end

-- ARGV[2..4] of every fenced script: '1' and the lease's owner and token, or '0'.
local function fence_ok()
  return ARGV[2] ~= '1' or lease_held(ARGV[3], ARGV[4])
end

${LIVE_AT}
local function unindex(sid)
  local removed = 0
  for i = 5, 9 do removed = removed + redis.call('ZREM', KEYS[i], sid) end
  return removed
end

-- The user's keys (5..10) expire with the last of the user's sessions when every session
-- has a deadline, and never otherwise.
local function refresh_user_expiry()
  local total = redis.call('ZCARD', KEYS[8])
  if total > 0 and redis.call('ZCARD', KEYS[9]) == total then
    local last = redis.call('ZRANGE', KEYS[9], -1, -1, 'WITHSCORES')
    for i = 5, 10 do redis.call('PEXPIREAT', KEYS[i], last[2]) end
  else
    for i = 5, 10 do redis.call('PERSIST', KEYS[i]) end
  end
end

-- Gives the session's four keys one deadline (or none), so they vanish together. A deadline
-- already past removes the session at once, index entries included. Returns false then.
local function settle_deadline(sid, expires_at, grace)
  if not expires_at then
    redis.call('HDEL', KEYS[1], F_DEADLINE)
    redis.call('ZREM', KEYS[9], sid)
    for i = 1, 4 do redis.call('PERSIST', KEYS[i]) end
    refresh_user_expiry()
    return true
  end
  local now = now_ms()
  local deadline = math.max(tonumber(expires_at), now) + tonumber(grace)
  if deadline <= now then
    redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
    unindex(sid)
    refresh_user_expiry()
    return false
  end
  redis.call('HSET', KEYS[1], F_DEADLINE, fmt(deadline))
  redis.call('ZADD', KEYS[9], fmt(deadline), sid)
  for i = 1, 4 do redis.call('PEXPIREAT', KEYS[i], fmt(deadline)) end
  refresh_user_expiry()
  return true
end

-- Writes pairs to a sorted set or hash in chunks (Lua's unpack has a stack limit).
local function flush(command, key, items)
  if #items > 0 then redis.call(command, key, unpack(items)) end
  return {}
end
`;
