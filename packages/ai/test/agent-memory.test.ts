import { describeAgentSuite } from './support/agent-suite.js';
import { memoryBackend } from './support/backends.js';

describeAgentSuite(memoryBackend);
