import { describeAgentSession } from './support/agent-session-spec.js';
import { jsonlBackend } from './support/backends.js';

describeAgentSession(jsonlBackend);
