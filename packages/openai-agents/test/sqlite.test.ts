import { join } from 'node:path';
import { fromUrl } from '@sessions/sqlite';
import { describeAgentSession } from './support/agent-session-spec.js';
import { scratchDirectory, trackedStore } from './support/backends.js';

describeAgentSession({
  name: 'sqlite',
  persistent: true,
  async createStore() {
    const directory = await scratchDirectory('sqlite');
    const url = `sqlite:${join(directory.path, 'sessions.db')}`;
    return trackedStore(async () => fromUrl(url), directory.remove, url);
  },
});
