import { describeAgentSuite } from './support/agent-suite.js';
import { mysqlBackend } from './support/backends.js';

describeAgentSuite(mysqlBackend);
