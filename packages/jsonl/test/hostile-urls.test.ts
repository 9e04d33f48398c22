import { createEngine, registerAdapter } from '@sessions/core';
import { hostileUrlTests, type HostileUrlScheme } from '@sessions/core/testing';
import { describe, expect, it } from 'vitest';
import { fromUrl } from '../src/index.js';

const SCHEMES: HostileUrlScheme[] = ['jsonl:'];
for (const scheme of SCHEMES) registerAdapter(scheme, () => ({ fromUrl }));

describe('URLs built to get their secret printed', () => {
  describe('createEngine', () => hostileUrlTests({ it, expect }, SCHEMES, createEngine));
  describe('fromUrl', () => hostileUrlTests({ it, expect }, SCHEMES, async (url) => fromUrl(url)));
});
