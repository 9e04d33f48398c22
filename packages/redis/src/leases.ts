import type { Lease, LeaseRef, SessionKey } from '@sessions/core';
import type { AcquireLeaseInput, LeaseGrant } from '@sessions/core/engine';
import { runScript } from './scripts/commands.js';
import type { Store } from './store.js';

/** Lease primitives: one script each, on Redis's clock. */

export async function acquireLease(store: Store, key: SessionKey, input: AcquireLeaseInput): Promise<LeaseGrant> {
  const [granted, ownerOrToken, expiresAt] = await runScript<[number, string, string]>(store.client, 'sessionsV1Acquire', store.keys.scriptKeys(key), [
    input.owner,
    input.ttlMs,
  ]);
  if (granted !== 1) return { acquired: false, holder: ownerOrToken, expiresAt: new Date(Number(expiresAt)) };
  return {
    acquired: true,
    lease: { userId: key.userId, sessionId: key.sessionId, owner: input.owner, token: Number(ownerOrToken), expiresAt: new Date(Number(expiresAt)) },
  };
}

export async function renewLease(store: Store, lease: Lease, ttlMs: number): Promise<Lease | null> {
  const [renewed, expiresAt] = await runScript<[number, string?]>(store.client, 'sessionsV1Renew', store.keys.scriptKeys(lease), [
    lease.owner,
    String(lease.token),
    ttlMs,
  ]);
  if (renewed !== 1) return null;
  return { userId: lease.userId, sessionId: lease.sessionId, owner: lease.owner, token: lease.token, expiresAt: new Date(Number(expiresAt)) };
}

export async function releaseLease(store: Store, key: SessionKey, lease: LeaseRef): Promise<boolean> {
  return (await runScript<number>(store.client, 'sessionsV1Release', store.keys.scriptKeys(key), [lease.owner, String(lease.token)])) === 1;
}
