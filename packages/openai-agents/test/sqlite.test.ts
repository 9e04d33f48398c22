import { describeAgentSession } from './support/agent-session-spec.js';
import { sqliteBackend } from './support/backends.js';

describeAgentSession(sqliteBackend);
