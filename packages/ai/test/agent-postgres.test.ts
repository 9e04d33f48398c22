import { describeAgentSuite } from './support/agent-suite.js';
import { postgresBackend } from './support/backends.js';

describeAgentSuite(postgresBackend);
