export { JsonlEngine } from './jsonl-engine.js';
export { fromUrl } from './from-url.js';
export type { JsonlEngineOptions } from './options.js';
export { encodeName, decodeName } from './encode-name.js';
export { CorruptFileError, LockTimeoutError } from './errors.js';
export { FORMAT_NAME, FORMAT_VERSION } from './format.js';
