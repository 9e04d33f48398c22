export * from './model.js';
export * from './session-model.js';
export * from './message-model.js';
export * from './lease-model.js';
export * from './records.js';
export * from './expiry.js';
export * from './session-changes.js';
