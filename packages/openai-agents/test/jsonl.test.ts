import { fromUrl } from '@sessions/jsonl';
import { describeAgentSession } from './support/agent-session-spec.js';
import { scratchDirectory, trackedStore } from './support/backends.js';

describeAgentSession({
  name: 'jsonl',
  persistent: true,
  async createStore() {
    const directory = await scratchDirectory('jsonl');
    const url = `jsonl:${directory.path}`;
    return trackedStore(async () => fromUrl(url), directory.remove, url);
  },
});
