import { fromUrl } from '@sessions/mysql';
import { createTestStore } from '@sessions/mysql/testing';
import { describeAgentSession } from './support/agent-session-spec.js';
import { trackedStore } from './support/backends.js';

describeAgentSession({
  name: 'mysql',
  persistent: true,
  async createStore() {
    const store = await createTestStore({ prefix: 'sessions_openai_agents_' });
    return trackedStore(async () => fromUrl(store.url), store.drop, store.url);
  },
});
