import { describeAgentSuite } from './support/agent-suite.js';
import { redisBackend } from './support/backends.js';

describeAgentSuite(redisBackend);
