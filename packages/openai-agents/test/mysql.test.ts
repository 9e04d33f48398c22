import { describeAgentSession } from './support/agent-session-spec.js';
import { mysqlBackend } from './support/backends.js';

describeAgentSession(mysqlBackend);
