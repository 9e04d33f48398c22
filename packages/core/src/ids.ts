const ENCODING = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const RANDOM_CHARS = 16;

let lastTime = -1;
let lastRandom: number[] = [];

/**
 * A ULID: 10 characters of millisecond time and 16 of randomness in Crockford base32, so
 * ids sort by creation time. Within one millisecond the random part counts up, keeping
 * ids from one process strictly increasing.
 */
export function ulid(now: number = Date.now()): string {
  if (now <= lastTime) {
    incrementRandom();
    now = lastTime;
  } else {
    lastTime = now;
    lastRandom = randomChars();
  }
  let time = '';
  let remaining = now;
  for (let i = 0; i < 10; i++) {
    time = ENCODING[remaining % 32]! + time;
    remaining = Math.floor(remaining / 32);
  }
  return time + lastRandom.map((index) => ENCODING[index]).join('');
}

function randomChars(): number[] {
  const bytes = crypto.getRandomValues(new Uint8Array(RANDOM_CHARS));
  return Array.from(bytes, (byte) => byte % 32);
}

function incrementRandom(): void {
  for (let i = RANDOM_CHARS - 1; i >= 0; i--) {
    if (lastRandom[i]! < 31) {
      lastRandom[i]! += 1;
      return;
    }
    lastRandom[i] = 0;
  }
  // All 80 bits overflowed within one millisecond: move to the next millisecond instead.
  lastTime += 1;
}

/** `sess_` followed by a ULID. */
export function newSessionId(): string {
  return `sess_${ulid()}`;
}

/** `msg_` followed by a ULID. */
export function newMessageId(): string {
  return `msg_${ulid()}`;
}

/** A random owner name for leases, unique per process and call. */
export function newOwnerId(prefix = 'owner'): string {
  return `${prefix}_${ulid()}`;
}
