import type { LargeSessionOptions } from './groups/large-sessions.js';

/** Options every group takes (most ignore them). Each may be `undefined`, for `exactOptionalPropertyTypes`. */
export interface ConformanceOptions extends LargeSessionOptions {
  /** Property-test runs for the differential groups. Default 150. */
  numRuns?: number | undefined;
  /**
   * Seed for the differential groups' random filters. Default: a new seed every run, so that
   * repeated runs cover more cases. A failure prints its seed; pass it here to replay that run.
   */
  seed?: number | undefined;
}
