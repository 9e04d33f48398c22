export { createAgent, Agent } from './agent.js';
export type {
  AgentOptions,
  AgentCallSettings,
  TurnOptions,
  JsonOptions,
  AgentRunResult,
  AgentJsonResult,
  AgentStream,
  AgentStreamEvent,
} from './agent-types.js';
export { AgentSession } from './agent-session.js';
export type { AgentSessionOptions, AgentSessionOpOptions, AgentSessionJSON } from './agent-session.js';
export type { AgentInput, AgentTarget } from './input.js';
export { estimateTokens } from './history/window.js';
export type { HistoryWindow } from './history/window.js';
export type { CompactHook, CompactInput } from './history/compaction.js';
export { fromModelMessages, toModelMessages } from './convert/model-messages.js';
export type { FromModelMessagesOptions, ToModelMessagesOptions } from './convert/model-messages.js';
export { fromUIMessages, toUIMessages } from './convert/ui-messages.js';
export type { FromUIMessagesOptions } from './convert/ui-messages.js';
export { loadUIMessages, saveUIMessages } from './ui-store.js';
export type { SaveUIMessagesOptions, SaveUIMessagesResult } from './ui-store.js';
export type { OutputSchema } from './structured-output.js';
