import { describeAgentSession } from './support/agent-session-spec.js';
import { memoryBackend } from './support/backends.js';

describeAgentSession(memoryBackend);
