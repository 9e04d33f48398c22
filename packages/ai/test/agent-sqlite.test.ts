import { describeAgentSuite } from './support/agent-suite.js';
import { sqliteBackend } from './support/backends.js';

describeAgentSuite(sqliteBackend);
