export * from './mock/index.js';
export * from './sandbox/index.js';
export * from './model/index.js';
export * from './e2e/index.js';
