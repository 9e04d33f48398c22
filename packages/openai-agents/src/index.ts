export { SessionsAgentSession, type NewSessionDefaults, type SessionsAgentSessionOptions } from './sessions-agent-session.js';
export { itemsFromMessages } from './replay.js';
export { encodeItem as itemToMessage } from './item-codec.js';
export { METADATA_KEY, FORMAT_VERSION, type ItemMarker, type PopMarker } from './stored-format.js';
export type { ValuePath } from './json-extras.js';
