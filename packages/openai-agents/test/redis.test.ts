import { fromUrl } from '@sessions/redis';
import { createTestStore } from '@sessions/redis/testing';
import { describeAgentSession } from './support/agent-session-spec.js';
import { trackedStore } from './support/backends.js';

describeAgentSession({
  name: 'redis',
  persistent: true,
  async createStore() {
    const store = await createTestStore({ prefix: 'test:openai-agents:' });
    return trackedStore(async () => fromUrl(store.url), store.drop, store.url);
  },
});
