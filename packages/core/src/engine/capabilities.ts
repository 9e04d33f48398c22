/**
 * What an engine can do beyond the contract every engine keeps. The conformance suite
 * skips, visibly, the groups an engine declares it cannot run.
 */
export interface EngineCapabilities {
  /** Data outlives `close()`: a new engine on the same store sees it. */
  readonly persistent: boolean;
  /** Several processes may share one store and stay correct. */
  readonly crossProcess: boolean;
  /** Expired sessions vanish by themselves, without `deleteExpired()`. */
  readonly nativeTtl: boolean;
}

export const DEFAULT_CAPABILITIES: EngineCapabilities = Object.freeze({
  persistent: true,
  crossProcess: true,
  nativeTtl: false,
});
