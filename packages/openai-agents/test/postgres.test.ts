import { fromUrl } from '@sessions/postgres';
import { createTestStore } from '@sessions/postgres/testing';
import { describeAgentSession } from './support/agent-session-spec.js';
import { trackedStore } from './support/backends.js';

describeAgentSession({
  name: 'postgres',
  persistent: true,
  async createStore() {
    const store = await createTestStore({ prefix: 'sessions_openai_agents_' });
    return trackedStore(async () => fromUrl(store.url), store.drop, store.url);
  },
});
