import { PRELUDE } from './prelude.js';

/**
 * Creates a session with its first messages, all or nothing. The messages come inline, or,
 * for a large session, were staged beforehand in KEYS[11] and KEYS[12] (see STAGE): they
 * become the session's message keys by RENAME, so the session appears with all of them at
 * once, or not at all. Staging keys are removed on every outcome.
 * KEYS: the ten session keys, then 11 staged messages, 12 staged ids.
 * ARGV: 1 sessionId, 2 updatedAt, 3 createdAt, 4 expiresAt or '', 5 grace ms,
 *       6 n, then n column/value pairs, then m, then m triples (message id, seq, stored JSON),
 *       then the number of staged messages and of distinct staged ids (0 and 0 when nothing was staged).
 * Returns {'EXISTS'}, {'STAGING_LOST'} (the staged keys do not hold what was staged, e.g. they
 * expired) or {'OK', 1 if the user was not registered yet else 0}.
 */
export const CREATE = `${PRELUDE}
local function drop_staged() redis.call('DEL', KEYS[11], KEYS[12]) end
if redis.call('EXISTS', KEYS[1]) == 1 then drop_staged(); return {'EXISTS'} end
local sid = ARGV[1]
local pos = 7
local fields = {}
for i = 1, tonumber(ARGV[6]) * 2 do fields[i] = ARGV[pos]; pos = pos + 1 end
local count = tonumber(ARGV[pos]); pos = pos + 1
local staged, staged_ids = tonumber(ARGV[pos + count * 3]), tonumber(ARGV[pos + count * 3 + 1])
redis.call('DEL', KEYS[2], KEYS[3])
if staged > 0 then
  if redis.call('ZCARD', KEYS[11]) ~= staged or redis.call('HLEN', KEYS[12]) ~= staged_ids then
    drop_staged()
    return {'STAGING_LOST'}
  end
  redis.call('RENAME', KEYS[11], KEYS[2])
  redis.call('RENAME', KEYS[12], KEYS[3])
end
redis.call('HSET', KEYS[1], F_REV, '1', unpack(fields))
local z, h = {}, {}
for i = 1, count do
  local id, seq, stored = ARGV[pos], ARGV[pos + 1], ARGV[pos + 2]
  pos = pos + 3
  z[#z + 1] = seq; z[#z + 1] = stored
  h[#h + 1] = id; h[#h + 1] = seq
  if #z >= 1000 then z = flush('ZADD', KEYS[2], z); h = flush('HSET', KEYS[3], h) end
end
flush('ZADD', KEYS[2], z)
flush('HSET', KEYS[3], h)
redis.call('ZADD', KEYS[5], ARGV[2], sid)
redis.call('ZADD', KEYS[6], ARGV[3], sid)
redis.call('ZADD', KEYS[8], 0, sid)
local expires_at = false
if ARGV[4] ~= '' then
  expires_at = ARGV[4]
  redis.call('ZADD', KEYS[7], expires_at, sid)
else
  redis.call('ZREM', KEYS[7], sid)
end
local fresh = redis.call('SET', KEYS[10], '1', 'NX')
settle_deadline(sid, expires_at, ARGV[5])
return {'OK', fresh and 1 or 0}
`;

/**
 * Appends messages: checks the lease, the session (present, and live at ARGV[5]) and every id,
 * assigns seq lastSeq+1 ..., stores the messages and bumps the counters, in one step.
 * ARGV: 1 sessionId, 2..4 fence, 5 live-at ms or '', 6 newest createdAt (ms), 7 m, then m pairs (id, JSON body).
 * Returns {'OK', lastSeq before the append} or {'LOCK_EXPIRED'} / {'NOT_FOUND'} / {'MESSAGE_EXISTS', id}.
 */
export const APPEND = `${PRELUDE}
if not fence_ok() then return {'LOCK_EXPIRED'} end
local s = redis.call('HMGET', KEYS[1], C_LAST_SEQ, C_UPDATED, F_DEADLINE, C_EXPIRES)
if not s[1] or not live_at(s[4], ARGV[5]) then return {'NOT_FOUND'} end
local count = tonumber(ARGV[7])
for i = 0, count - 1 do
  local id = ARGV[8 + i * 2]
  if redis.call('HEXISTS', KEYS[3], id) == 1 then return {'MESSAGE_EXISTS', id} end
end
local last = tonumber(s[1])
local z, h = {}, {}
for i = 0, count - 1 do
  local seq = fmt(last + i + 1)
  local body = ARGV[9 + i * 2]
  z[#z + 1] = seq; z[#z + 1] = '{"seq":' .. seq .. ',' .. string.sub(body, 2)
  h[#h + 1] = ARGV[8 + i * 2]; h[#h + 1] = seq
  if #z >= 1000 then z = flush('ZADD', KEYS[2], z); h = flush('HSET', KEYS[3], h) end
end
flush('ZADD', KEYS[2], z)
flush('HSET', KEYS[3], h)
redis.call('HINCRBY', KEYS[1], C_LAST_SEQ, count)
redis.call('HINCRBY', KEYS[1], C_COUNT, count)
redis.call('HINCRBY', KEYS[1], F_REV, 1)
if tonumber(ARGV[6]) > tonumber(s[2]) then
  redis.call('HSET', KEYS[1], C_UPDATED, ARGV[6])
  redis.call('ZADD', KEYS[5], ARGV[6], ARGV[1])
end
if s[3] then
  redis.call('PEXPIREAT', KEYS[2], s[3])
  redis.call('PEXPIREAT', KEYS[3], s[3])
end
return {'OK', last}
`;

/**
 * Changes session fields and bumps version, optionally only at an expected version (the
 * caller's optimistic check) or an expected revision (a generic update's compare-and-set).
 * The lease is checked first, so a stale holder that read the latest version is still refused.
 * ARGV: 1 sessionId, 2..4 fence, 5 live-at ms or '', 6 expected version or '', 7 expected revision or '',
 *       8 new updatedAt or '', 9 'keep' | 'none' | 'set' for expiresAt, 10 expiresAt,
 *       11 grace ms, 12 '1' to return the record, 13 n, n column/value pairs, then k, k columns to remove.
 * Returns {'OK', HGETALL or {}} or {'LOCK_EXPIRED'} / {'NOT_FOUND'} / {'CONFLICT'} / {'STALE'}.
 */
export const UPDATE = `${PRELUDE}
if not fence_ok() then return {'LOCK_EXPIRED'} end
local s = redis.call('HMGET', KEYS[1], C_VERSION, F_REV, C_EXPIRES)
if not s[1] or not live_at(s[3], ARGV[5]) then return {'NOT_FOUND'} end
if ARGV[6] ~= '' and s[1] ~= ARGV[6] then return {'CONFLICT'} end
if ARGV[7] ~= '' and s[2] ~= ARGV[7] then return {'STALE'} end
local sid = ARGV[1]
local pos = 13
local n = tonumber(ARGV[pos]); pos = pos + 1
if n > 0 then
  local fields = {}
  for i = 1, n * 2 do fields[i] = ARGV[pos]; pos = pos + 1 end
  redis.call('HSET', KEYS[1], unpack(fields))
end
local k = tonumber(ARGV[pos]); pos = pos + 1
for i = 1, k do redis.call('HDEL', KEYS[1], ARGV[pos]); pos = pos + 1 end
redis.call('HINCRBY', KEYS[1], C_VERSION, 1)
redis.call('HINCRBY', KEYS[1], F_REV, 1)
if ARGV[8] ~= '' then redis.call('ZADD', KEYS[5], ARGV[8], sid) end
local record = {}
if ARGV[12] == '1' then record = redis.call('HGETALL', KEYS[1]) end
if ARGV[9] == 'none' then
  redis.call('ZREM', KEYS[7], sid)
  settle_deadline(sid, false, ARGV[11])
elseif ARGV[9] == 'set' then
  redis.call('ZADD', KEYS[7], ARGV[10], sid)
  settle_deadline(sid, ARGV[10], ARGV[11])
end
return {'OK', record}
`;

/**
 * Removes every message and keeps the session, its lastSeq and its lease.
 * ARGV: 1 sessionId, 2..4 fence, 5 live-at ms or '', 6 updatedAt. Returns {'OK', removed} or an error code.
 */
export const CLEAR = `${PRELUDE}
if not fence_ok() then return {'LOCK_EXPIRED'} end
local s = redis.call('HMGET', KEYS[1], C_VERSION, C_EXPIRES)
if not s[1] or not live_at(s[2], ARGV[5]) then return {'NOT_FOUND'} end
local count = redis.call('ZCARD', KEYS[2])
redis.call('DEL', KEYS[2], KEYS[3])
redis.call('HSET', KEYS[1], C_COUNT, '0', C_UPDATED, ARGV[6])
redis.call('HINCRBY', KEYS[1], F_REV, 1)
redis.call('ZADD', KEYS[5], ARGV[6], ARGV[1])
return {'OK', count}
`;

/**
 * Removes the messages with seq > afterSeq and keeps the rest, the session, its lastSeq (seq
 * values are never reused), version and lease. The removed messages' ids leave the id hash, so
 * they may be used again.
 * ARGV: 1 sessionId, 2..4 fence, 5 live-at ms or '', 6 afterSeq, 7 updatedAt.
 * Returns {'OK', removed} or {'LOCK_EXPIRED'} / {'NOT_FOUND'}.
 */
export const TRUNCATE = `${PRELUDE}
if not fence_ok() then return {'LOCK_EXPIRED'} end
local s = redis.call('HMGET', KEYS[1], C_VERSION, C_EXPIRES)
if not s[1] or not live_at(s[2], ARGV[5]) then return {'NOT_FOUND'} end
local after = tonumber(ARGV[6])
local low = '(' .. ARGV[6]
local members = redis.call('ZRANGE', KEYS[2], low, '+inf', 'BYSCORE')
local removed = #members
if removed > 0 then
  -- A stored message is '{"seq":N,"id":"<id as JSON>",...' (see withSeq): the id is read from
  -- that prefix alone, so a long content is never parsed.
  local ids, complete = {}, true
  for i = 1, removed do
    local member = members[i]
    local from = string.match(member, '^{"seq":%d+,"id":"()')
    local to = from
    while to do
      to = string.find(member, '[\\\\"]', to)
      if to and string.byte(member, to) == 34 then break end
      if to then to = to + 2 end
    end
    if not to then complete = false; break end
    ids[i] = cjson.decode(string.sub(member, from - 1, to))
  end
  if not complete then
    -- Not the layout above (written by other code): sweep the id hash instead, so no removed id stays taken.
    ids = {}
    local all = redis.call('HGETALL', KEYS[3])
    for i = 1, #all, 2 do
      if tonumber(all[i + 1]) > after then ids[#ids + 1] = all[i] end
    end
  end
  redis.call('ZREMRANGEBYSCORE', KEYS[2], low, '+inf')
  for i = 1, #ids, 1000 do redis.call('HDEL', KEYS[3], unpack(ids, i, math.min(i + 999, #ids))) end
  redis.call('HINCRBY', KEYS[1], C_COUNT, -removed)
end
redis.call('HSET', KEYS[1], C_UPDATED, ARGV[7])
redis.call('HINCRBY', KEYS[1], F_REV, 1)
redis.call('ZADD', KEYS[5], ARGV[7], ARGV[1])
return {'OK', removed}
`;

/**
 * Deletes a session with its messages; also drops index entries of a session that is already
 * gone (expired), so it doubles as the index repair. The lease hash stays, as in MemoryEngine,
 * so a reused session id never sees a token go down.
 * ARGV: 1 sessionId, 2..4 fence, 5 expected revision or '', 6 delete only if expiresAt <= this (ms) or '',
 *       7 '1' to only repair the index (a live session is left alone).
 * Returns {'OK', 1 | 0} or {'LOCK_EXPIRED'} / {'STALE'}.
 */
export const DELETE = `${PRELUDE}
if not fence_ok() then return {'LOCK_EXPIRED'} end
local sid = ARGV[1]
if redis.call('EXISTS', KEYS[1]) == 0 then
  if unindex(sid) > 0 then refresh_user_expiry() end
  return {'OK', 0}
end
if ARGV[7] == '1' then return {'OK', 0} end
if ARGV[5] ~= '' and redis.call('HGET', KEYS[1], F_REV) ~= ARGV[5] then return {'STALE'} end
if ARGV[6] ~= '' then
  local expires_at = redis.call('HGET', KEYS[1], C_EXPIRES)
  if not expires_at or tonumber(expires_at) > tonumber(ARGV[6]) then return {'OK', 0} end
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
unindex(sid)
refresh_user_expiry()
return {'OK', 1}
`;

/**
 * Replaces one stored message (a generic update of its metadata) if it is still exactly
 * `old`: compare-and-set on the member text. The new member goes in before the old one
 * leaves, so the set never empties and keeps its expiry.
 * ARGV: 1 seq, 2 old member, 3 new member. Returns 'OK' or 'STALE'.
 */
export const REPLACE_MESSAGE = `
if ARGV[2] == ARGV[3] then return 'OK' end
if not redis.call('ZSCORE', KEYS[2], ARGV[2]) then return 'STALE' end
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[3])
redis.call('ZREM', KEYS[2], ARGV[2])
return 'OK'
`;
