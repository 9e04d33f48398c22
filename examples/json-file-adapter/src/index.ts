export { JsonFileEngine, type JsonFileEngineOptions } from './json-file-engine.js';
