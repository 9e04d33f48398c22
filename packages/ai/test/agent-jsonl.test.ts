import { describeAgentSuite } from './support/agent-suite.js';
import { jsonlBackend } from './support/backends.js';

describeAgentSuite(jsonlBackend);
