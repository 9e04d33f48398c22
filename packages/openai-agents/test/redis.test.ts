import { describeAgentSession } from './support/agent-session-spec.js';
import { redisBackend } from './support/backends.js';

describeAgentSession(redisBackend);
