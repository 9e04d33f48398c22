/**
 * Adds one chunk of a large create's messages to its staging keys and (re)sets their expiry,
 * so what a create that never commits staged goes away by itself.
 * KEYS: 1 staging messages (sorted set), 2 staging ids (hash).
 * ARGV: 1 expiry in ms, then triples (message id, seq, stored JSON). Returns the number staged so far.
 */
export const STAGE = `
local z, h = {}, {}
for i = 2, #ARGV, 3 do
  h[#h + 1] = ARGV[i]; h[#h + 1] = ARGV[i + 1]
  z[#z + 1] = ARGV[i + 1]; z[#z + 1] = ARGV[i + 2]
  if #z >= 1000 then
    redis.call('ZADD', KEYS[1], unpack(z)); redis.call('HSET', KEYS[2], unpack(h))
    z, h = {}, {}
  end
end
if #z > 0 then redis.call('ZADD', KEYS[1], unpack(z)); redis.call('HSET', KEYS[2], unpack(h)) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return redis.call('ZCARD', KEYS[1])
`;
