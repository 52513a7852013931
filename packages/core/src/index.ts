export * from './spec/index.js';
export * from './errors/index.js';
export * from './protocol/index.js';
export * from './engine/index.js';
export * from './progress/index.js';
export * from './adapters/index.js';
export { RUNTIME_PATH, RUNTIME_FILE_NAME, PROTOCOL_VERSION, readRuntimeSource } from './runtime/runtime-source.js';
