/**
 * Takes a user out of the global user set's bookkeeping when the user has no session left.
 * KEYS: 1 by id, 2 registration marker (both under the user's hash tag).
 * Returns 1 if the marker was removed (the caller then SREMs the user and re-checks), else 0.
 */
export const FORGET_USER = `
if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
redis.call('DEL', KEYS[2])
return 1
`;
