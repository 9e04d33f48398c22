import { describeAgentSession } from './support/agent-session-spec.js';
import { postgresBackend } from './support/backends.js';

describeAgentSession(postgresBackend);
